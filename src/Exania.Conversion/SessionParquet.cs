using Exania.Core;
using Parquet;
using Parquet.Schema;

namespace Exania.Conversion;

/// <summary>
/// The session table as Parquet, for pandas, polars and DuckDB: the columns of <see cref="SessionCsv"/> in the same
/// order, typed: <c>session_id</c> and <c>user_id</c> strings, the features double, <c>clicked</c>, <c>conversion</c>
/// and <c>dropoff</c> int32 (0 or 1, so sums and means work in every reader). All columns are required; rows go in row
/// groups of <see cref="RowGroupRows"/>; the file is written atomically.
/// </summary>
public static class SessionParquet
{
    /// <summary>Rows per row group (pyarrow's default).</summary>
    public const int RowGroupRows = 1 << 20;

    /// <summary>Writes <paramref name="table"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(SessionTable table, string path)
    {
        ArgumentNullException.ThrowIfNull(table);
        AtomicFile.Write(path, stream => WriteAsync(table, stream).GetAwaiter().GetResult());
    }

    private static async Task WriteAsync(SessionTable table, Stream stream)
    {
        var session = new DataField<string>(SessionCsv.SessionColumn, nullable: false);
        var user = new DataField<string>(SessionCsv.UserColumn, nullable: false);
        var features = table.FeatureNames.Select(n => new DataField<double>(n)).ToArray();
        var labels = SessionCsv.LabelColumns.Select(n => new DataField<int>(n)).ToArray();
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema([session, user, .. features, .. labels]), stream);
        var rows = table.Rows;
        var size = Math.Clamp(rows, 1, RowGroupRows);
        var texts = new string[size];
        var numbers = new double[size];
        var ints = new int[size];
        IReadOnlyList<byte>[] labelValues = [table.Clicked, table.Conversion, table.Dropoff];
        // A table without rows is still one (empty) row group, so that readers see the schema.
        for (var start = 0; start == 0 || start < rows; start += size)
        {
            var count = Math.Min(size, rows - start);
            using var group = writer.CreateRowGroup();
            foreach (var (field, ids) in new[] { (session, table.SessionIds), (user, table.UserIds) })
            {
                for (var i = 0; i < count; i++)
                    texts[i] = ids[start + i];
                await group.WriteAsync(field, count == size ? texts : texts[..count], null);
            }
            for (var f = 0; f < features.Length; f++)
            {
                for (var i = 0; i < count; i++)
                    numbers[i] = table.Row(start + i)[f];
                await group.WriteAsync<double>(features[f], numbers.AsMemory(0, count));
            }
            for (var l = 0; l < labels.Length; l++)
            {
                for (var i = 0; i < count; i++)
                    ints[i] = labelValues[l][start + i];
                await group.WriteAsync<int>(labels[l], ints.AsMemory(0, count));
            }
        }
    }
}

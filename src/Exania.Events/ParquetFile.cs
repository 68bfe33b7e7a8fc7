using System.Buffers;
using System.Runtime.CompilerServices;
using Exania.Core;
using Parquet;
using Parquet.Schema;

namespace Exania.Events;

/// <summary>
/// Opening Parquet files the way every Exania reader does (events here, windows in Exania.Features): a file that is not
/// Parquet, or is damaged, becomes a <see cref="DataFormatException"/> naming the file, never a library exception.
/// </summary>
public static class ParquetFile
{
    /// <summary>Opens <paramref name="stream"/> (readable, seekable) and reads its footer and schema.</summary>
    /// <exception cref="DataFormatException">The stream is not a Parquet file, or its footer is damaged.</exception>
    public static async Task<ParquetReader> OpenAsync(Stream stream, string fileName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            return await ParquetReader.CreateAsync(stream, leaveStreamOpen: true);
        }
        catch (Exception ex) when (IsDamage(ex))
        {
            throw new DataFormatException(fileName, 0,
                $"not a readable Parquet file ({ex.Message.TrimEnd('.')}); a Parquet file starts and ends with the bytes PAR1 and holds its schema in a footer, so a truncated or renamed file cannot be read");
        }
    }

    /// <summary>
    /// Parquet.Net reports damage with whatever its decoders met (IOException, InvalidDataException,
    /// IndexOutOfRangeException, ArgumentException, ...), so every exception but Exania's own, cancellation and running
    /// out of memory is taken to mean the file is damaged.
    /// </summary>
    public static bool IsDamage(Exception ex) => ex is not (DataFormatException or OutOfMemoryException or OperationCanceledException);

    /// <summary>The error for a row group whose data cannot be decoded.</summary>
    public static DataFormatException DamagedRowGroup(string fileName, int rowGroup, int rowGroups, Exception inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        return new DataFormatException(fileName, 0,
            $"row group {rowGroup + 1} of {rowGroups} cannot be read ({inner.Message.TrimEnd('.')}); the file is damaged or uses a Parquet feature Parquet.Net does not read");
    }

    /// <summary>The row count of a row group, refused when it cannot be one (a damaged footer).</summary>
    public static int RowCount(ParquetRowGroupReader rowGroup, int index, string fileName)
    {
        ArgumentNullException.ThrowIfNull(rowGroup);
        var count = rowGroup.RowCount;
        if (count < 0 || count > Array.MaxLength)
            throw new DataFormatException(fileName, 0, $"row group {index + 1} declares {count} rows, which no row group can hold; the file's footer is damaged");
        return (int)count;
    }

    /// <summary>
    /// Reads the first <paramref name="rows"/> values of <paramref name="field"/> in <paramref name="rowGroup"/> into
    /// <paramref name="values"/>, nulls as null. A REQUIRED column (no definition levels) is read through the
    /// non-nullable overload: Parquet.Net 6.1.0 reads one into nullable memory by consulting definition levels it never
    /// decoded, from a pooled buffer, so rows come back null depending on what that buffer last held.
    /// </summary>
    public static async ValueTask ReadAsync<T>(ParquetRowGroupReader rowGroup, DataField field, T?[] values, int rows)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(rowGroup);
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(values);
        if (field.MaxDefinitionLevel > 0)
        {
            await rowGroup.ReadAsync<T>(field, values.AsMemory(0, rows));
            return;
        }
        var plain = ArrayPool<T>.Shared.Rent(rows);
        try
        {
            await rowGroup.ReadAsync<T>(field, plain.AsMemory(0, rows));
            for (var i = 0; i < rows; i++)
                values[i] = plain[i];
        }
        finally
        {
            ArrayPool<T>.Shared.Return(plain, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }
    }
}

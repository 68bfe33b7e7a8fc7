using DuckDB.NET.Data;
using Exania.Conversion;
using Exania.Events;
using Exania.Testing;

namespace Exania.Conversion.Tests;

/// <summary>The session table as Parquet, read back by an independent reader (DuckDB): every column, type and value.</summary>
public class SessionParquetTests
{
    [Fact]
    public void SessionParquet_ReadByDuckDb_HoldsEveryValueOfTheTable()
    {
        var log = new EventLog();
        EventReader.Load(TestData.Path("taobao_head3000.csv"), log,
            new EventReaderOptions { HasHeader = false, ColumnNames = ["user_id", "item_id", "category", "action", "timestamp"] });
        var table = SessionTableBuilder.Build(log, SessionTableOptions.Default with { ObserveSeconds = 600 });
        Assert.True(table.Rows > 100);
        var path = Path.Combine(Path.GetTempPath(), $"exania-sessions-{Guid.NewGuid():N}.parquet");
        try
        {
            SessionParquet.Write(table, path);
            using var connection = new DuckDBConnection("DataSource=:memory:");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM read_parquet('{path}')";
            using var reader = command.ExecuteReader();
            string[] expectedColumns = [SessionCsv.SessionColumn, SessionCsv.UserColumn, .. table.FeatureNames, .. SessionCsv.LabelColumns];
            Assert.Equal(expectedColumns, Enumerable.Range(0, reader.FieldCount).Select(reader.GetName));
            Assert.Equal(typeof(string), reader.GetFieldType(0));
            Assert.Equal(typeof(double), reader.GetFieldType(2));
            Assert.Equal(typeof(int), reader.GetFieldType(reader.FieldCount - 1));
            var r = 0;
            while (reader.Read())
            {
                Assert.Equal(table.SessionIds[r], reader.GetString(0));
                Assert.Equal(table.UserIds[r], reader.GetString(1));
                var row = table.Row(r);
                for (var f = 0; f < row.Length; f++)
                    Assert.Equal(row[f], reader.GetDouble(2 + f));
                var labels = 2 + row.Length;
                Assert.Equal((table.Clicked[r], table.Conversion[r], table.Dropoff[r]), ((byte)reader.GetInt32(labels), (byte)reader.GetInt32(labels + 1), (byte)reader.GetInt32(labels + 2)));
                r++;
            }
            Assert.Equal(table.Rows, r);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

using Exania.Core;

namespace Exania.Campaigns;

/// <summary>Writes a <see cref="CampaignTable"/> as CSV (header row, missing cells empty), atomically.</summary>
public static class CampaignCsvWriter
{
    public static void Write(CampaignTable table, string path)
    {
        ArgumentNullException.ThrowIfNull(table);
        AtomicFile.WriteText(path, writer =>
        {
            writer.Write(string.Join(',', table.Columns.Select(c => c.Name)));
            writer.Write('\n');
            Span<char> buffer = stackalloc char[64];
            for (var r = 0; r < table.Rows; r++)
            {
                for (var c = 0; c < table.Columns.Count; c++)
                {
                    if (c > 0) writer.Write(',');
                    var column = table.Columns[c];
                    if (column.Numbers is { } numbers)
                        CsvFieldWriter.WriteNumber(writer, numbers[r], buffer);
                    else if (column.Texts![r] is { } text)
                        CsvFieldWriter.WriteField(writer, text);
                }
                writer.Write('\n');
            }
        });
    }

}

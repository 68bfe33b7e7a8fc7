using System.Text.Json;
using Exania.Campaigns;
using Exania.Core;
using Exania.Features;
using Exania.Roas;

namespace Exania.Scoring;

/// <summary>Click probabilities of feature rows, with the model's threshold.</summary>
public sealed record ClickPredictions(IReadOnlyList<double> Probabilities, IReadOnlyList<bool> Clicks, double Threshold, string ModelVersion);

/// <summary>Predicted ROAS of campaign rows.</summary>
public sealed record RoasPredictions(IReadOnlyList<double> Predictions, string ModelVersion, ScoringEngine Engine);

/// <summary>What scored a request: Exania's C# code, or ONNX Runtime on the model's exported graph.</summary>
public enum ScoringEngine
{
    CSharp,
    OnnxRuntime,
}

/// <summary>The conversion network's outputs (names in <see cref="Outputs"/>) for each session row.</summary>
public sealed record ConversionPredictions(IReadOnlyList<string> Outputs, IReadOnlyList<double[]> Probabilities, IReadOnlyList<double> Thresholds, string ModelVersion,
    ScoringEngine Engine);

/// <summary>
/// Scoring rows sent as JSON: <c>{"row": ...}</c> for one, <c>{"rows": [...]}</c> for a batch. A click row is the 20
/// window features, as an array in <see cref="WindowFeatures.Names"/> order or an object keyed by those names; a ROAS or
/// conversion row is an object of columns (numbers, text or null), as in the table the model was trained on.
/// </summary>
public static class Predictions
{
    /// <summary>Most rows in one request.</summary>
    public const int MaxRows = 10_000;

    /// <summary>
    /// From this many rows on, a ROAS request is scored by ONNX Runtime; below, by the C# code. ScoringEngineBenchmarks
    /// timed both at 1, 8 and 256 rows in one run: C# is 1.4 times faster for one row and 1.2 to 1.7 times slower from 8
    /// rows on; the lines through those points cross between 2 and 4 rows.
    /// </summary>
    public const int RoasOnnxRuntimeFromRows = 4;

    /// <summary>
    /// From this many rows on, a conversion request is scored by ONNX Runtime. C# is 10 times faster for one row and 1.7
    /// times faster at 8; ONNX Runtime is 3 times faster at 256; the lines cross near 19 rows.
    /// </summary>
    public const int ConversionOnnxRuntimeFromRows = 20;

    /// <exception cref="LiveInputException">The body is not rows of 20 finite features.</exception>
    /// <exception cref="ModelUnavailableException">No click model is loaded.</exception>
    public static ClickPredictions Click(ReadOnlySpan<byte> utf8Json, ModelSet models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var model = models.Click ?? throw new ModelUnavailableException("No click model is loaded (click_model.json in the --models folder).");
        var rows = Rows(utf8Json);
        var values = new double[rows.Count * WindowFeatures.Count];
        for (var r = 0; r < rows.Count; r++)
            ClickRow(rows[r], Path(rows, r), values.AsSpan(r * WindowFeatures.Count, WindowFeatures.Count));
        var probabilities = new double[rows.Count];
        model.PredictProbabilities(values, probabilities);
        var clicks = new bool[rows.Count];
        for (var r = 0; r < clicks.Length; r++)
            clicks[r] = probabilities[r] >= model.Threshold;
        return new ClickPredictions(probabilities, clicks, model.Threshold, models.VersionOf(ModelKind.Click)!);
    }

    /// <exception cref="LiveInputException">The body is not rows of columns, or a column the model needs is missing or of the wrong kind.</exception>
    /// <exception cref="ModelUnavailableException">No ROAS model is loaded.</exception>
    public static RoasPredictions Roas(ReadOnlySpan<byte> utf8Json, ModelSet models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var model = models.Roas ?? throw new ModelUnavailableException("No ROAS model is loaded (roas_model.json in the --models folder).");
        var table = Table(Rows(utf8Json));
        try
        {
            if (table.Rows >= RoasOnnxRuntimeFromRows && models.RoasBatch is { } onnx)
                return new RoasPredictions(onnx.Run(model.Encoder!.Transform(RoasDataset.RawColumns(table)), table.Rows), models.VersionOf(ModelKind.Roas)!, ScoringEngine.OnnxRuntime);
            return new RoasPredictions(RoasTrainer.Predict(model, table), models.VersionOf(ModelKind.Roas)!, ScoringEngine.CSharp);
        }
        catch (ArgumentException e)
        {
            throw new LiveInputException("rows", e.Message);
        }
    }

    /// <exception cref="LiveInputException">The body is not rows of columns, or a column the model needs is missing or of the wrong kind.</exception>
    /// <exception cref="ModelUnavailableException">No conversion model is loaded.</exception>
    public static ConversionPredictions Conversion(ReadOnlySpan<byte> utf8Json, ModelSet models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var model = models.Conversion ?? throw new ModelUnavailableException("No conversion model is loaded (conversion_model.json in the --models folder).");
        var table = Table(Rows(utf8Json));
        double[] flat;
        var engine = table.Rows >= ConversionOnnxRuntimeFromRows && models.ConversionBatch is not null ? ScoringEngine.OnnxRuntime : ScoringEngine.CSharp;
        try
        {
            flat = engine == ScoringEngine.OnnxRuntime ? models.ConversionBatch!.Run(model.Encode(table), table.Rows) : model.Predict(table);
        }
        catch (ArgumentException e)
        {
            throw new LiveInputException("rows", e.Message);
        }
        var outputs = model.Outputs.Select(o => o.ToString()).ToArray();
        var perRow = new double[table.Rows][];
        for (var r = 0; r < perRow.Length; r++)
            perRow[r] = flat.AsSpan(r * outputs.Length, outputs.Length).ToArray();
        return new ConversionPredictions(outputs, perRow, [.. model.Thresholds], models.VersionOf(ModelKind.Conversion)!, engine);
    }

    private static string Path(List<JsonElement> rows, int r) => rows.Count == 1 && r == 0 ? "row" : $"rows[{r}]";

    /// <summary>The rows of <c>{"row": x}</c> or <c>{"rows": [x, ...]}</c>, as JSON elements (cloned, so the body can go).</summary>
    private static List<JsonElement> Rows(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.IsEmpty)
            throw new LiveInputException("", "The request body is empty; send {\"row\": ...} or {\"rows\": [...]}.");
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 8 });
            document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
                throw new LiveInputException("", "The body has content after its JSON object.");
        }
        catch (JsonException e)
        {
            throw new LiveInputException("", $"The body is not valid JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new LiveInputException("", "The body must be a JSON object: {\"row\": ...} or {\"rows\": [...]}.");
            var rows = new List<JsonElement>();
            var seen = false;
            foreach (var property in root.EnumerateObject())
            {
                if (seen)
                    throw new LiveInputException(property.Name, "The body holds one property: row or rows.");
                seen = true;
                if (property.NameEquals("row"))
                {
                    rows.Add(property.Value.Clone());
                }
                else if (property.NameEquals("rows"))
                {
                    if (property.Value.ValueKind != JsonValueKind.Array)
                        throw new LiveInputException("rows", "'rows' must be an array.");
                    if (property.Value.GetArrayLength() > MaxRows)
                        throw new LiveInputException("rows", $"At most {MaxRows} rows per request.");
                    foreach (var row in property.Value.EnumerateArray())
                        rows.Add(row.Clone());
                }
                else
                {
                    throw new LiveInputException(Clip(property.Name), $"Unknown property '{Clip(property.Name)}'; send row or rows.");
                }
            }
            if (rows.Count == 0)
                throw new LiveInputException("rows", "There are no rows to score.");
            return rows;
        }
    }

    private static void ClickRow(JsonElement row, string path, Span<double> destination)
    {
        if (row.ValueKind == JsonValueKind.Array)
        {
            if (row.GetArrayLength() != WindowFeatures.Count)
                throw new LiveInputException(path, $"{path} holds {row.GetArrayLength()} values; a click row is the {WindowFeatures.Count} window features in order.");
            var i = 0;
            foreach (var value in row.EnumerateArray())
            {
                destination[i] = Finite(value, $"{path}[{i}]");
                i++;
            }
            return;
        }
        if (row.ValueKind != JsonValueKind.Object)
            throw new LiveInputException(path, $"{path} must be an array of {WindowFeatures.Count} numbers or an object keyed by feature name.");
        destination.Fill(double.NaN);
        foreach (var property in row.EnumerateObject())
        {
            var index = IndexOfFeature(property.Name);
            if (index < 0)
                throw new LiveInputException($"{path}.{Clip(property.Name)}", $"'{Clip(property.Name)}' is not a window feature ({string.Join(", ", WindowFeatures.Names)}).");
            if (!double.IsNaN(destination[index]))
                throw new LiveInputException($"{path}.{property.Name}", $"{path}.{property.Name} appears twice.");
            destination[index] = Finite(property.Value, $"{path}.{property.Name}");
        }
        for (var i = 0; i < destination.Length; i++)
        {
            if (double.IsNaN(destination[i]))
                throw new LiveInputException($"{path}.{WindowFeatures.Names[i]}", $"{path} has no {WindowFeatures.Names[i]}.");
        }
    }

    private static int IndexOfFeature(string name)
    {
        for (var i = 0; i < WindowFeatures.Count; i++)
        {
            if (string.Equals(WindowFeatures.Names[i], name, StringComparison.Ordinal))
                return i;
        }
        return -1;
    }

    private static double Finite(JsonElement value, string field)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var x) || !double.IsFinite(x))
            throw new LiveInputException(field, $"{field} must be a finite number.");
        return x;
    }

    /// <summary>Object rows as a table: a column of numbers (null = missing) or of text (null = missing), never both.</summary>
    private static CampaignTable Table(List<JsonElement> rows)
    {
        var names = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var kinds = new List<JsonValueKind>();
        for (var r = 0; r < rows.Count; r++)
        {
            var path = Path(rows, r);
            if (rows[r].ValueKind != JsonValueKind.Object)
                throw new LiveInputException(path, $"{path} must be an object of columns.");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in rows[r].EnumerateObject())
            {
                var field = $"{path}.{Clip(property.Name)}";
                if (!seen.Add(property.Name))
                    throw new LiveInputException(field, $"{field} appears twice.");
                if (names.Count >= 1000 && !index.ContainsKey(property.Name))
                    throw new LiveInputException(field, "A request names at most 1000 columns.");
                var kind = property.Value.ValueKind switch
                {
                    JsonValueKind.Number => JsonValueKind.Number,
                    JsonValueKind.String => JsonValueKind.String,
                    JsonValueKind.Null => JsonValueKind.Null,
                    _ => throw new LiveInputException(field, $"{field} must be a number, text or null."),
                };
                if (kind == JsonValueKind.Number && (!property.Value.TryGetDouble(out var x) || !double.IsFinite(x)))
                    throw new LiveInputException(field, $"{field} is not a finite number.");
                if (!index.TryGetValue(property.Name, out var c))
                {
                    index[property.Name] = c = names.Count;
                    names.Add(property.Name);
                    kinds.Add(JsonValueKind.Null);
                }
                if (kind == JsonValueKind.Null)
                    continue;
                if (kinds[c] == JsonValueKind.Null)
                    kinds[c] = kind;
                else if (kinds[c] != kind)
                    throw new LiveInputException(field, $"Column '{Clip(property.Name)}' holds both numbers and text.");
            }
        }
        var columns = new List<TableColumn>(names.Count);
        for (var c = 0; c < names.Count; c++)
        {
            if (kinds[c] == JsonValueKind.String)
            {
                var texts = new string?[rows.Count];
                for (var r = 0; r < rows.Count; r++)
                    texts[r] = rows[r].TryGetProperty(names[c], out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                columns.Add(TableColumn.Text(names[c], texts));
            }
            else
            {
                var numbers = new double[rows.Count];
                for (var r = 0; r < rows.Count; r++)
                    numbers[r] = rows[r].TryGetProperty(names[c], out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
                columns.Add(TableColumn.Numeric(names[c], numbers));
            }
        }
        return new CampaignTable(columns);
    }

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";
}

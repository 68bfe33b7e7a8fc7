using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Exania.Core;
using Exania.Reports.Charts;
using Exania.Sequence;

namespace Exania.Reports;

/// <summary>
/// The report of a trained next-event model (<c>train sequence --report</c>, <c>report --model</c>), drawn from the
/// <c>sequence_results.json</c> the command writes beside the model: loss by epoch, Recall@k and MRR@k of the model
/// and every session baseline, per-class scores where the classes are few, and the attention over a few test sessions.
/// </summary>
public static class SequenceReportPage
{
    /// <summary>Classes up to which the per-class table and the confusion heatmap are drawn.</summary>
    public const int MaxClassesShown = 20;

    /// <summary>The id of the attention heatmap.</summary>
    public const string AttentionChartId = "attention";

    /// <summary>Builds the report of the results file's text <paramref name="resultsJson"/>; <paramref name="source"/> names it.</summary>
    /// <exception cref="JsonException">The text is not a sequence results object.</exception>
    /// <exception cref="ArgumentException">The results lack the ranking or epochs (written by an older Exania).</exception>
    public static HtmlReport Build(string resultsJson, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(resultsJson);
        var root = JsonNode.Parse(resultsJson) as JsonObject ?? throw new JsonException("The sequence results are not a JSON object.");
        if (root["ranking"] is not JsonArray rankingNode || root["epochs"] is not JsonArray epochsNode || root["params"] is not JsonObject parameters
            || root["data"] is not JsonObject data)
            throw new ArgumentException("These sequence results have no ranking, epochs, params or data (written by an older Exania); run `exania train sequence` again to get a report.", nameof(resultsJson));

        var target = (string?)root["target"] ?? "action";
        var rankings = rankingNode.OfType<JsonObject>().Select(Ranking.From).ToList();
        var model = rankings.FirstOrDefault(r => r.Method == "model");
        var baselines = rankings.Where(r => r.Method != "model").ToList();
        var best = baselines.OrderByDescending(r => r.Seen[20].Mrr).FirstOrDefault();
        var samples = data["samples"] as JsonObject;
        var units = data["split_units"] as JsonObject;
        var splitBy = (string?)data["split_by"] ?? "session";

        var report = new HtmlReport($"Next-{target} model report", "sequence")
        {
            Summary = $"Embedding → LSTM → attention → softmax over the last {Int(data, "max_len")} events of a session predicts the next {target}; it is judged on held-out test sessions at every position, ranking the full class list, beside the session baselines fitted on the training sessions.",
            Json = resultsJson,
        }.WithFacts(
            new ReportFact("target", $"{target} ({Int(root, "classes"):N0} classes)"),
            new ReportFact("data", $"{(source is null ? "" : source + ": ")}{Int(data, "events"):N0} events, {Int(data, "sessions"):N0} sessions kept, vocabulary {Int(data, "vocabulary"):N0} (with <pad>, <oov>)"),
            new ReportFact("split", $"by {splitBy}: {Int(units, "train"):N0} / {Int(units, "validation"):N0} / {Int(units, "test"):N0} {(splitBy == "user" ? "users" : "sessions")}; samples {Int(samples, "train"):N0} / {Int(samples, "validation"):N0} / {Int(samples, "test"):N0} (train / validation / test)"),
            new ReportFact("seed", Int(parameters, "seed").ToString(CultureInfo.InvariantCulture)),
            new ReportFact("parameters", string.Create(CultureInfo.InvariantCulture,
                $"embedding {Int(parameters, "emb")}, hidden {Int(parameters, "hidden")}, {Int(parameters, "layers")} layer(s), up to {Int(parameters, "epochs")} epochs (ran {Int(root, "epochs_run")}, kept {Int(root, "best_epoch")}), lr {Num(parameters, "lr")}, batch {Int(parameters, "batch")}, dropout {Num(parameters, "dropout")}, repeat term {OnOff(parameters, "repeat")}, session priors {OnOff(parameters, "session_priors")}, early stopping on {(string?)parameters["early_stopping"] ?? "loss"}")),
            new ReportFact("R@20 / MRR@20", model is null ? "n/a"
                : $"model {model.Seen[20].Recall:0.0000} / {model.Seen[20].Mrr:0.0000}" + (best is null ? "" : $"; best baseline {best.Method} {best.Seen[20].Recall:0.0000} / {best.Seen[20].Mrr:0.0000}")));

        AddLoss(report, root, epochsNode);
        if (model is not null)
            AddRanking(report, rankings, model);
        AddClasses(report, root, target);
        AddAttention(report, root);
        return report;
    }

    private static void AddLoss(HtmlReport report, JsonObject root, JsonArray epochsNode)
    {
        var epochs = epochsNode.OfType<JsonObject>().ToList();
        var bestEpoch = Int(root, "best_epoch");
        var stoppedEarly = (bool?)root["stopped_early"] ?? false;
        var section = report.Section("How training went: loss by epoch",
            $"Mean cross-entropy of the next {(string?)root["target"] ?? "action"} on the training samples (with dropout, as trained) and on the validation sessions. "
            + $"The dotted line marks epoch {bestEpoch}, whose parameters were kept{(stoppedEarly ? " (training stopped early)" : "")}.");
        var x = epochs.Select(e => (double)Int(e, "epoch")).ToArray();
        // Room right of the last epoch, so the kept epoch's label is not cut off when it is the last.
        var epochAxis = x.Length == 0 ? new Axis("epoch") : new Axis("epoch", x.Min(), x.Max() + Math.Max(0.5, (x.Max() - x.Min()) * 0.25));
        var loss = new XyChart("loss", "Loss by epoch", epochAxis, new Axis("cross-entropy"));
        loss.Add(new Series("training", x, [.. epochs.Select(e => Num(e, "train_loss"))], SeriesStyle.LineAndPoints, ChartStyle.Palette[0]));
        var validation = epochs.Where(e => e["validation_loss"] is not null).ToList();
        if (validation.Count > 0)
            loss.Add(new Series("validation", [.. validation.Select(e => (double)Int(e, "epoch"))], [.. validation.Select(e => Num(e, "validation_loss"))], SeriesStyle.LineAndPoints, ChartStyle.Palette[1]));
        loss.Markers.Add(new Marker(bestEpoch, null, $"kept: epoch {bestEpoch}"));
        section.Chart(loss, validation.Count > 0 ? "A validation curve that turns up while the training curve falls is overfitting; early stopping keeps the epoch before." : "No validation samples: the last epoch is kept.");
        var mrr = epochs.Where(e => e["validation_mrr_at_20"] is not null).ToList();
        if (mrr.Count > 0)
        {
            var chart = new XyChart("validation-mrr", "Validation MRR@20 by epoch", epochAxis, new Axis("MRR@20", 0));
            chart.Add(new Series("validation MRR@20", [.. mrr.Select(e => (double)Int(e, "epoch"))], [.. mrr.Select(e => Num(e, "validation_mrr_at_20"))], SeriesStyle.LineAndPoints, ChartStyle.Palette[1]));
            chart.Markers.Add(new Marker(bestEpoch, null, $"kept: epoch {bestEpoch}"));
            section.Chart(chart, "MRR@20 over the full class list on the validation samples; higher is better.");
        }
        else
            section.Note("Validation MRR@20 was not recorded for this run (no validation samples).");
    }

    private static void AddRanking(HtmlReport report, List<Ranking> rankings, Ranking model)
    {
        var unseen = model.UnseenTargets;
        var section = report.Section("How well it ranks: Recall@k and MRR@k against the baselines",
            $"Every method ranks the full class list at every position of the test sessions: the same {model.Samples:N0} samples for all. "
            + "Drawn are the figures over the targets seen in training (the results' \"seen\" form)"
            + (unseen > 0 ? $"; {unseen:N0} samples whose target was never seen in training are left out, and the table also gives the \"all\" form that counts them as misses." : "; no test target was unseen, so the \"all\" form is the same.")
            + " Solid: the model; dashed: the session baselines (POP: most popular overall; S-POP: most frequent in the session so far; Markov: next-event counts after the last event; SKNN and V-SKNN: nearest training sessions).");
        double[] cutoffs = [.. RankingReport.Cutoffs.Select(k => (double)k)];
        var recall = new XyChart("recall-at-k", "Recall@k", new Axis("cutoff k", 0, 20), Axis.Unit("Recall@k"));
        var mrr = new XyChart("mrr-at-k", "MRR@k", new Axis("cutoff k", 0, 20), new Axis("MRR@k", 0));
        for (var m = 0; m < rankings.Count; m++)
        {
            var r = rankings[m];
            var isModel = r.Method == "model";
            var color = ChartStyle.ColorOf(m);
            var style = isModel ? SeriesStyle.LineAndPoints : SeriesStyle.Dashed;
            var width = isModel ? 2.5 : 1.5;
            recall.Add(new Series($"{r.Method} ({r.Seen[20].Recall:0.000} at 20)", cutoffs, [.. RankingReport.Cutoffs.Select(k => r.Seen[k].Recall)], style, color, width));
            mrr.Add(new Series($"{r.Method} ({r.Seen[20].Mrr:0.000} at 20)", cutoffs, [.. RankingReport.Cutoffs.Select(k => r.Seen[k].Mrr)], style, color, width));
        }
        section.Chart(recall, "Share of samples whose true next event is in the top k.");
        section.Chart(mrr, "Mean of 1/rank of the true next event when it is in the top k (0 otherwise).");
        section.Table(new ReportTable("ranking", "Recall, MRR and NDCG at each cutoff (seen targets; * counts unseen targets as misses)",
            ["method", "R@1", "R@5", "R@10", "R@20", "MRR@5", "MRR@10", "MRR@20", "NDCG@10", "NDCG@20", "R@20*", "MRR@20*"],
            [.. rankings.Select(r => (IReadOnlyList<string>)[r.Method, F(r.Seen[1].Recall), F(r.Seen[5].Recall), F(r.Seen[10].Recall), F(r.Seen[20].Recall),
                F(r.Seen[5].Mrr), F(r.Seen[10].Mrr), F(r.Seen[20].Mrr), F(r.Seen[10].Ndcg), F(r.Seen[20].Ndcg), F(r.All[20].Recall), F(r.All[20].Mrr)])])
        { HighlightRow = rankings.IndexOf(model) });
    }

    private static void AddClasses(HtmlReport report, JsonObject root, string target)
    {
        var section = report.Section($"Which next {target}s it gets right: per class",
            "Precision, recall and F1 of the model's top prediction for each class on the test samples, beside the counts of the confusion matrix.");
        var test = root["test"] as JsonObject;
        var classes = (test?["classes"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        if (classes.Count == 0)
        {
            section.Note("The results hold no per-class figures.");
            return;
        }
        if (classes.Count > MaxClassesShown)
        {
            section.Note($"Not drawn: {classes.Count:N0} classes are more than the {MaxClassesShown} a table and a confusion matrix stay readable with; for ranked targets Recall@k and MRR@k above are the figures to read. The per-class scores are in the embedded JSON (test.classes).");
            return;
        }
        section.Table(new ReportTable("per-class", $"Per-class scores of the model (accuracy {Num(test, "accuracy"):0.0000}; Markov {Num(root["markov"] as JsonObject, "accuracy"):0.0000}, majority {Num(root["majority"] as JsonObject, "accuracy"):0.0000})",
            [target, "precision", "recall", "F1", "support"],
            [.. classes.Select(c => (IReadOnlyList<string>)[(string?)c["action"] ?? "", F(Num(c, "precision")), F(Num(c, "recall")), F(Num(c, "f1")), Int(c, "support").ToString("N0", CultureInfo.InvariantCulture)])]));
        if (test?["confusion_matrix"] is not JsonObject confusion || confusion["labels"] is not JsonArray labelsNode || confusion["rows_true_columns_predicted"] is not JsonArray rowsNode)
        {
            section.Note("The results hold no confusion matrix.");
            return;
        }
        var labels = labelsNode.Select(l => (string?)l ?? "").ToList();
        var matrix = new double[labels.Count, labels.Count];
        var text = new string[labels.Count, labels.Count];
        for (var i = 0; i < labels.Count; i++)
        {
            var row = (JsonArray)rowsNode[i]!;
            for (var j = 0; j < labels.Count; j++)
            {
                var count = (long)row[j]!;
                matrix[i, j] = count;
                text[i, j] = count.ToString("N0", CultureInfo.InvariantCulture);
            }
        }
        section.Chart(new Heatmap("confusion", "Confusion matrix of the top prediction", [.. labels.Select(l => "true " + l)], [.. labels.Select(l => "predicted " + l)], matrix)
        {
            CellText = text,
        }, "Counts of test samples; the diagonal is right.");
    }

    private static void AddAttention(HtmlReport report, JsonObject root)
    {
        var section = report.Section("Which events mattered: attention over a few test sessions",
            "Each row is the last window of a held-out test session, drawn with the run's seed; each cell is an event (oldest left, the latest right) coloured by the weight the model's attention gave it. "
            + "The weights and predictions were computed by the trained model when it was saved.");
        var examples = root["attention_examples"] is JsonArray node ? node.Deserialize<List<AttentionExample>>(ReportJson.Options) ?? [] : [];
        if (examples.Count == 0)
        {
            section.Note("These results hold no attention examples (written by an older Exania, or the test split is empty); `exania predict sequence --attention` gives the weights for any session.");
            return;
        }
        var width = examples.Max(e => e.Events.Count);
        var weights = new double[examples.Count, width];
        var text = new string[examples.Count, width];
        // The heatmap draws a cell's text only when it fits: shorten to the cell (6 px a character).
        var letters = Math.Max(1, (int)((Math.Clamp(480.0 / width, 22, 64) - 2) / 6));
        for (var r = 0; r < examples.Count; r++)
        {
            var e = examples[r];
            var offset = width - e.Events.Count;
            for (var c = 0; c < width; c++)
            {
                weights[r, c] = c < offset ? double.NaN : e.Weights[c - offset];
                text[r, c] = c < offset ? "" : ChartFrame.Shorten(e.Events[c - offset], letters);
            }
        }
        var columns = Enumerable.Range(0, width).Select(c => c == width - 1 ? "latest" : $"−{width - 1 - c}").ToList();
        section.Chart(new Heatmap(AttentionChartId, "Attention weight of each event of the window", [.. examples.Select(e => $"{e.Session}: next {e.Target}")], columns, weights)
        {
            CellText = text,
            RowTitle = "session: true next",
            ColumnTitle = "events before the prediction (latest on the right)",
        }, "Darker is more weight; a row's weights sum to 1. Grey cells are before the session's first event.");
        section.Table(new ReportTable("attention-examples", "The same sessions: the true next event, the model's top prediction and the event it attended to most",
            ["session", "events in window", "true next", "its probability (rank)", "top prediction", "its probability", "most attended event (weight)"],
            [.. examples.Select(e =>
            {
                var most = 0;
                for (var i = 1; i < e.Weights.Count; i++)
                    if (e.Weights[i] > e.Weights[most]) most = i;
                return (IReadOnlyList<string>)[e.Session, e.Events.Count.ToString(CultureInfo.InvariantCulture), e.Target,
                    string.Create(CultureInfo.InvariantCulture, $"{e.TargetProbability:0.000} ({e.TargetRank})"), e.Predicted, F(e.PredictedProbability),
                    e.Weights.Count == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"{e.Events[most]}, {e.Events.Count - most} back ({e.Weights[most]:0.000})")];
            })]));
    }

    private static string F(double value) => BinaryReportSections.Fixed(value);

    private static long Int(JsonObject? node, string name) => node?[name] is JsonValue v && v.TryGetValue<long>(out var x) ? x : 0;

    private static double Num(JsonObject? node, string name) => node?[name] is JsonValue v ? v.GetValueKind() switch
    {
        JsonValueKind.Number => v.GetValue<double>(),
        JsonValueKind.String => double.Parse(v.GetValue<string>(), CultureInfo.InvariantCulture),
        _ => double.NaN,
    } : double.NaN;

    private static string OnOff(JsonObject node, string name) => (bool?)node[name] == true ? "on" : "off";

    /// <summary>One method's figures of the results' <c>ranking</c> array, by cutoff.</summary>
    private sealed record Ranking(string Method, long Samples, long UnseenTargets, Dictionary<int, RankingAtK> Seen, Dictionary<int, RankingAtK> All)
    {
        public static Ranking From(JsonObject node)
        {
            static Dictionary<int, RankingAtK> Figures(JsonObject? o) => RankingReport.Cutoffs.ToDictionary(k => k,
                k => new RankingAtK(k, Num(o, $"recall_at_{k}"), Num(o, $"mrr_at_{k}"), Num(o, $"ndcg_at_{k}")));
            return new Ranking((string?)node["method"] ?? "?", Int(node, "samples"), Int(node, "unseen_targets"), Figures(node["seen"] as JsonObject), Figures(node["all"] as JsonObject));
        }
    }
}

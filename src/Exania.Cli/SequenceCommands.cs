using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Exania.Core;
using Exania.Events;
using Exania.Reports;
using Exania.Sequence;
using Spectre.Console;

namespace Exania.Cli;

/// <summary>
/// <c>exania sequences</c>, <c>exania train sequence</c> and <c>exania predict sequence</c>: next-action prediction
/// with the embedding → LSTM → attention → softmax model of <see cref="Exania.Sequence"/>.
/// </summary>
internal static class SequenceCommands
{
    public static readonly string ModelFileName = ModelFile.FileNameOf(ModelKind.Sequence);
    public static readonly string ResultsFileName = ModelFile.ResultsFileNameOf(ModelKind.Sequence);

    /// <summary>The preprocessing options shared by <c>sequences</c> and <c>train sequence</c>.</summary>
    private sealed class PreprocessingOptions
    {
        public Option<int> MaxLength { get; } = new("--max-len") { Description = "Previous events per sample.", DefaultValueFactory = _ => SequenceOptions.Defaults.MaxLength };
        public Option<int> MinCount { get; } = new("--min-count") { Description = "Actions seen fewer times in the training split become <oov>.", DefaultValueFactory = _ => SequenceOptions.Defaults.MinCount };
        public Option<string> SplitBy { get; } = new("--split-by")
        {
            Description = "session or user: the unit drawn at random into train/validation/test; time: sessions by start time, the latest for test (as session-rec).",
            DefaultValueFactory = _ => "session",
        };
        public Option<double> TestDays { get; } = new("--test-days") { Description = "With --split-by time: the sessions starting in the last N days are the test split (instead of --test)." };
        public Option<string[]> TestEvents { get; } = new("--test-events")
        {
            Description = "Separate test event file(s), read like --events: every session in them is a test session, and --events is split into train and validation only.",
            AllowMultipleArgumentsPerToken = true,
        };
        public Option<double> Validation { get; } = new("--validation") { Description = "Fraction of sessions (or users) for validation (early stopping).", DefaultValueFactory = _ => SequenceOptions.Defaults.ValidationFraction };
        public Option<string> Target { get; } = new("--target") { Description = "What is embedded and predicted: action, category, page or item (the item_id field).", DefaultValueFactory = _ => "action" };
        public Option<string?> Inputs { get; } = new("--inputs") { Description = "Further fields embedded beside the target, comma-separated: category, page, item, action." };
        public Option<double> Test { get; } = new("--test") { Description = "Fraction of sessions (or users) for the test split.", DefaultValueFactory = _ => SequenceOptions.Defaults.TestFraction };
        public Option<string?> NumericInputs { get; } = new("--numeric-inputs")
        {
            Description = "Numeric event fields fed to every step beside the gap, comma-separated: scroll_depth, cost, revenue (money as sign·log1p).",
        };
        public Option<string> OovTargets { get; } = new("--oov-targets")
        {
            Description = "keep or drop the samples whose target is outside the training vocabulary (default: keep for action targets, drop for category, page and item).",
        };

        public void AddTo(Command command)
        {
            command.Options.Add(MaxLength);
            command.Options.Add(MinCount);
            command.Options.Add(SplitBy);
            command.Options.Add(TestDays);
            command.Options.Add(TestEvents);
            command.Options.Add(Validation);
            command.Options.Add(Test);
            command.Options.Add(Target);
            command.Options.Add(Inputs);
            command.Options.Add(OovTargets);
            command.Options.Add(NumericInputs);
        }

        private static SequenceField ParseField(string? name, string option) => name switch
        {
            "action" => SequenceField.Action,
            "category" => SequenceField.Category,
            "page" => SequenceField.Page,
            "item" => SequenceField.Item,
            var other => throw new ArgumentException($"{option} '{other}' is not one of action, category, page, item."),
        };

        public SequenceOptions Options(ParseResult parse, int seed)
        {
            var field = ParseField(parse.GetValue(Target), "--target");
            return new()
            {
                MaxLength = parse.GetValue(MaxLength),
                MinCount = parse.GetValue(MinCount),
                SplitBy = parse.GetValue(SplitBy) switch
                {
                    "session" => SplitUnit.Session,
                    "user" => SplitUnit.User,
                    "time" => SplitUnit.Time,
                    var other => throw new ArgumentException($"--split-by '{other}' is not one of session, user, time."),
                },
                Field = field,
                ExtraInputs = [.. (parse.GetValue(Inputs) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(name => ParseField(name, "--inputs"))],
                ValidationFraction = parse.GetValue(Validation),
                // A separate test file is the test split: --test then defaults to 0.
                TestFraction = parse.GetValue(TestEvents) is { Length: > 0 } && parse.GetResult(Test) is not { Implicit: false } ? 0 : parse.GetValue(Test),
                TestDays = parse.GetValue(TestDays),
                Seed = seed,
                NumericInputs = [.. (parse.GetValue(NumericInputs) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(SequenceOptions.ParseNumericInput)],
                DropOovTargets = parse.GetValue(OovTargets) switch
                {
                    null => field != SequenceField.Action,
                    "keep" => false,
                    "drop" => true,
                    var other => throw new ArgumentException($"--oov-targets '{other}' is not one of keep, drop."),
                },
            };
        }
    }

    private const string SamplesRejectsFile = "events.rejects.csv";

    /// <summary>Everything <c>sequences</c> writes into its folder; an existing folder holding anything else is refused.</summary>
    private static readonly string[] SamplesFolderFiles = ["vocabulary.json", "train.csv", "validation.csv", "test.csv", SamplesRejectsFile];

    public static Command CreateSequences()
    {
        var input = new EventInput();
        var prep = new PreprocessingOptions();
        var output = new Option<string>("--out") { Description = "Folder for vocabulary.json and train.csv, validation.csv, test.csv.", Required = true };
        var seed = CommonOptions.Seed(0);
        var json = CommonOptions.Json();
        var command = new Command("sequences", "Clean events and build next-action samples (previous events → next action), split by session or user.");
        input.AddTo(command);
        prep.AddTo(command);
        command.Options.Add(output);
        command.Options.Add(seed);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var watch = Stopwatch.StartNew();
                var folder = parse.GetValue(output)!;
                var options = prep.Options(parse, parse.GetValue(seed));
                SequenceDataset data = null!;
                EventLoadReport load = null!;
                // The vocabulary indexes the samples, so the folder is written as a unit: a killed run leaves the
                // previous folder or the new one, never new samples beside an old vocabulary.
                AtomicDirectory.Write(folder, SamplesFolderFiles, temp =>
                {
                    (data, load) = Build(cli, input, prep, parse, options, Path.Combine(temp, SamplesRejectsFile));
                    AtomicFile.WriteAllText(Path.Combine(temp, "vocabulary.json"),
                        new JsonObject { ["tokens"] = new JsonArray([.. data.Vocabulary.Tokens.Select(t => JsonValue.Create(t))]) }.ToJsonString());
                    foreach (var (name, samples) in Splits(data))
                        WriteSamples(Path.Combine(temp, name + ".csv"), data, samples);
                });
                var result = Summary(data, load);
                result["command"] = "sequences";
                result["seconds"] = CliOutput.Seconds(watch);
                result["out"] = folder;
                cli.Info($"[grey]{Markup.Escape(load.HumanLine())}[/]");
                cli.Table(SummaryTable(data));
                cli.Info($"samples → {Markup.Escape(folder)}");
                cli.Result(result);
                return 0;
            });
        });
        return command;
    }

    public static Command CreateTrain()
    {
        var input = new EventInput();
        var prep = new PreprocessingOptions();
        var output = new Option<string>("--out") { Description = $"Folder for {ModelFileName} and {ResultsFileName}.", Required = true };
        var d = SequenceTrainingOptions.Defaults;
        var epochs = new Option<int>("--epochs") { Description = $"Maximum epochs (early stopping may end sooner); {SequenceTrainingOptions.RankedTargetDefaults.Epochs} for item, category and page targets.", DefaultValueFactory = _ => d.Epochs };
        var emb = new Option<int>("--emb") { Description = "Embedding width.", DefaultValueFactory = _ => d.Embedding };
        var hidden = new Option<int>("--hidden") { Description = "LSTM hidden size (and attention size).", DefaultValueFactory = _ => d.Hidden };
        var layers = new Option<int>("--layers") { Description = "LSTM layers (1 or 2).", DefaultValueFactory = _ => d.Layers };
        var batch = new Option<int>("--batch") { Description = "Mini-batch size.", DefaultValueFactory = _ => d.BatchSize };
        var lr = new Option<double>("--lr") { Description = $"Adam learning rate; {SequenceTrainingOptions.RankedTargetDefaults.LearningRate} for item, category and page targets.", DefaultValueFactory = _ => d.LearningRate };
        var dropout = new Option<double>("--dropout") { Description = $"Dropout between LSTM layers and on the attention context; {SequenceTrainingOptions.RankedTargetDefaults.Dropout} for item, category and page targets.", DefaultValueFactory = _ => d.Dropout };
        var clip = new Option<double>("--clip") { Description = "Global gradient-norm limit (0 = off).", DefaultValueFactory = _ => d.ClipNorm };
        var patience = new Option<int>("--patience") { Description = "Epochs without a lower validation loss before stopping.", DefaultValueFactory = _ => d.Patience };
        var classWeights = new Option<bool>("--class-weights") { Description = "Weight the loss by inverse class frequency." };
        var repeat = new Option<bool>("--repeat")
        {
            Description = "Learned repeat term: a bonus on the logit of every token seen in the window, by how many events ago (`--repeat false` turns it off).",
            DefaultValueFactory = _ => d.Repeat,
        };
        var sampled = new Option<int?>("--sampled-softmax")
        {
            Description = $"Negatives per batch of a sampled softmax in training (0 = full softmax). Default: full up to {SequenceTrainingOptions.FullSoftmaxLimit} classes, else {SequenceTrainingOptions.AutoNegatives}. Evaluation always ranks the full vocabulary.",
        };
        var threads = new Option<int>("--threads") { Description = "Worker threads (0 = all cores); the model does not depend on it.", DefaultValueFactory = _ => 0 };
        var priors = new Option<bool?>("--session-priors")
        {
            Description = "Session-prior term: the training sessions' SKNN score and Markov count of every class, each with a learned weight, added to the logits (default: on for category, page and item targets, off for actions). Trains with the full softmax.",
        };
        var priorLr = new Option<double?>("--prior-lr") { Description = $"Adam learning rate of the repeat table and the prior weights (default: --lr for actions, {SequenceTrainingOptions.RankedTargetDefaults.PriorLearningRate} otherwise)." };
        var stopOn = new Option<string?>("--early-stopping") { Description = "loss or mrr: the validation figure that stops training and picks the kept epoch (default: loss for action targets, mrr (MRR@20) otherwise)." };
        var seed = CommonOptions.Seed(0);
        var report = CommonOptions.Report();
        var json = CommonOptions.Json();
        var command = new Command("sequence", "Train the next-action model (embedding → LSTM → attention → softmax) and evaluate it against the majority and Markov baselines.");
        input.AddTo(command);
        prep.AddTo(command);
        foreach (var option in new Option[] { output, epochs, emb, hidden, layers, batch, lr, dropout, clip, patience, classWeights, repeat, sampled, priors, priorLr, stopOn, threads, seed, report, json })
            command.Options.Add(option);
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var total = Stopwatch.StartNew();
                var folder = parse.GetValue(output)!;
                var s = parse.GetValue(seed);
                var reportPath = parse.GetValue(report);
                CommonOptions.RefuseOverwritingInput(reportPath, "--report", [.. (parse.GetValue(input.Events) ?? []).Select(e => ((string?)e, "--events"))]);
                var (data, load) = Build(cli, input, prep, parse, prep.Options(parse, s), Path.Combine(folder, "events.rejects.csv"));
                // Options left out take the defaults of the target (SequenceTrainingOptions.DefaultsFor): ranked targets train differently.
                var baseline = SequenceTrainingOptions.DefaultsFor(data.Options.Field);
                T Or<T>(Option<T> option, T fallback) => parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option)! : fallback;
                var options = baseline with
                {
                    Epochs = Or(epochs, baseline.Epochs),
                    Embedding = parse.GetValue(emb),
                    Hidden = parse.GetValue(hidden),
                    Layers = parse.GetValue(layers),
                    BatchSize = parse.GetValue(batch),
                    LearningRate = Or(lr, baseline.LearningRate),
                    Dropout = Or(dropout, baseline.Dropout),
                    ClipNorm = parse.GetValue(clip),
                    Patience = parse.GetValue(patience),
                    ClassWeights = parse.GetValue(classWeights),
                    Repeat = parse.GetValue(repeat),
                    SessionPriors = parse.GetValue(priors) ?? baseline.SessionPriors,
                    PriorLearningRate = parse.GetValue(priorLr) ?? baseline.PriorLearningRate,
                    EarlyStopping = parse.GetValue(stopOn) switch
                    {
                        null => baseline.EarlyStopping,
                        "loss" => EarlyStoppingMetric.Loss,
                        "mrr" => EarlyStoppingMetric.Mrr20,
                        var other => throw new ArgumentException($"--early-stopping '{other}' is not one of loss, mrr."),
                    },
                    SampledSoftmax = parse.GetValue(sampled),
                    Threads = parse.GetValue(threads),
                    Seed = s,
                };
                var trained = cli.Step($"training ({data.Train.Count:N0} samples, up to {options.Epochs} epochs)",
                    progress => SequenceTrainer.Train(data, options, null, progress));
                var baselines = NextActionBaselines.Fit(data.Train, data.Vocabulary.Count);
                var evaluation = SequenceEvaluator.Evaluate(trained.Model, data.Test, baselines, options.Threads,
                    trained.Model.Priors ?? SessionBaselines.Fit(data), data.OovTargetsDropped[2]); // a prior model already fitted them on these sessions
                var modelPath = Path.Combine(folder, ModelFileName);
                var resultsPath = Path.Combine(folder, ResultsFileName);
                trained.Model.Save(modelPath);

                var result = Figures(evaluation, trained, data, options);
                var full = result.DeepClone().AsObject();
                full["test"] = Report(evaluation.Model);
                full["markov"] = Report(evaluation.Markov);
                full["majority"] = Report(evaluation.Majority);
                full["data"] = Summary(data, load);
                // A few held-out sessions' attention, drawn by the report (seeded, at most AttentionExamples.MaxExamples).
                full["attention_examples"] = JsonSerializer.SerializeToNode(AttentionExamples.Pick(trained.Model, data, AttentionExamples.DefaultCount, s), ReportJson.Options);
                var resultsJson = full.ToJsonString(CliOutput.JsonOptions);
                AtomicFile.WriteAllText(resultsPath, resultsJson);

                cli.Info($"[grey]{Markup.Escape(load.HumanLine())}[/]");
                cli.Table(SummaryTable(data));
                cli.Table(EpochTable(trained));
                cli.Table(ScoreTable(evaluation));
                cli.Table(RankingTable(evaluation.Rankings, $"ranking, every position of the test sessions ({data.Test.Count:N0} samples, {data.OovTargetsDropped[2]:N0} unseen targets left out)"));
                cli.Table(ClassTable(evaluation.Model));
                cli.Info($"model → {Markup.Escape(modelPath)}; results → {Markup.Escape(resultsPath)}");
                result["command"] = "train sequence";
                result["seconds"] = CliOutput.Seconds(total);
                result["model"] = modelPath;
                result["results"] = resultsPath;
                result["data"] = Summary(data, load);
                if (reportPath is not null)
                    result["report"] = CliReports.Write(cli, reportPath, SequenceReportPage.Build(resultsJson, string.Join(", ", (parse.GetValue(input.Events) ?? []).Select(Path.GetFileName))));
                cli.Result(result);
                return 0;
            });
        });
        return command;
    }

    /// <summary>
    /// <c>exania evaluate sequence</c>: the session-based ranking protocol without training. The events are cleaned and
    /// split exactly as <c>train sequence</c> does with the same options and seed; the baselines are fitted on the
    /// training split and ranked on the test split, beside a saved model when <c>--model</c> is given (it must have been
    /// trained on the same vocabulary, which the same events, options and seed reproduce).
    /// </summary>
    public static Command CreateEvaluate()
    {
        var input = new EventInput();
        var prep = new PreprocessingOptions();
        var model = new Option<string?>("--model") { Description = $"A model folder (with {ModelFileName}) or file to rank beside the baselines." };
        var output = new Option<string?>("--out") { Description = "Also write the results as JSON to this file." };
        var threads = new Option<int>("--threads") { Description = "Worker threads (0 = all cores); the figures do not depend on it.", DefaultValueFactory = _ => 0 };
        var seed = CommonOptions.Seed(0);
        var json = CommonOptions.Json();
        var command = new Command("sequence", "Rank the next item (or action) at every position of the test sessions: POP, S-POP, Markov, SKNN, V-SKNN and optionally a saved model, with Recall/MRR/NDCG at 1, 5, 10, 20.");
        input.AddTo(command);
        prep.AddTo(command);
        foreach (var option in new Option[] { model, output, threads, seed, json })
            command.Options.Add(option);
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var watch = Stopwatch.StartNew();
                var outPath = parse.GetValue(output);
                var modelPath = parse.GetValue(model) is { } m ? ModelFile.Resolve(m, ModelKind.Sequence) : null;
                CommonOptions.RefuseOverwritingInput(outPath, "--out", [(modelPath, "--model"), .. (parse.GetValue(input.Events) ?? []).Select(e => ((string?)e, "--events"))]);
                var rejects = outPath is null
                    ? Path.Combine(Path.GetTempPath(), $"exania-evaluate-sequence-{Environment.ProcessId}.rejects.csv")
                    : WindowsCommand.RejectsPathFor(outPath);
                var (data, load) = Build(cli, input, prep, parse, prep.Options(parse, parse.GetValue(seed)), rejects);
                var baselines = SessionBaselines.Fit(data);
                List<RankingReport> rankings = [];
                if (modelPath is not null)
                {
                    var sequenceModel = SequenceModel.Load(modelPath);
                    if (sequenceModel.Field != data.Options.Field || !sequenceModel.Vocabulary.Tokens.SequenceEqual(data.Vocabulary.Tokens))
                        throw new ArgumentException($"--model: {modelPath} was trained on another vocabulary (or target) than these events give; evaluate it with the events, --target, --min-count, split and --seed it was trained with.");
                    var evaluation = SequenceEvaluator.Evaluate(sequenceModel, data.Test, NextActionBaselines.Fit(data.Train, data.Vocabulary.Count),
                        parse.GetValue(threads), baselines, data.OovTargetsDropped[2]);
                    rankings.AddRange(evaluation.Rankings);
                }
                else
                    rankings.AddRange(SequenceEvaluator.RankBaselines(baselines, data.Test, data.OovTargetsDropped[2], parse.GetValue(threads)));
                cli.Info($"[grey]{Markup.Escape(load.HumanLine())}[/]");
                cli.Table(SummaryTable(data));
                cli.Table(RankingTable(rankings, $"ranking, every position of the test sessions ({data.Test.Count:N0} samples, {data.OovTargetsDropped[2]:N0} unseen targets left out)"));
                var result = new JsonObject
                {
                    ["command"] = "evaluate sequence",
                    ["model"] = modelPath,
                    ["test_samples"] = data.Test.Count,
                    ["unseen_test_targets"] = data.OovTargetsDropped[2],
                    ["ranking"] = RankingJson(rankings),
                    ["data"] = Summary(data, load),
                    ["seconds"] = CliOutput.Seconds(watch),
                };
                return Finish(cli, result, outPath);
            });
        });
        return command;
    }

    public static Command CreatePredict()
    {
        var input = new EventInput();
        var model = new Option<string>("--model") { Description = $"Model folder (with {ModelFileName}) or file.", Required = true };
        var top = new Option<int>("--top") { Description = "Next actions to list per session.", DefaultValueFactory = _ => 3 };
        var output = new Option<string?>("--out") { Description = "Also write the predictions as JSON to this file." };
        var showAttention = new Option<bool>("--attention")
        {
            Description = "Also give the attention weight of every past event the model read, in the JSON result and --out (\"attention\") and as a table.",
        };
        var json = CommonOptions.Json();
        var command = new Command("sequence", "Top-k next actions with their probabilities (and, with --attention, the attention over past events) for each session prefix in the events.");
        input.AddTo(command);
        command.Options.Add(model);
        command.Options.Add(top);
        command.Options.Add(output);
        command.Options.Add(showAttention);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var watch = Stopwatch.StartNew();
                var k = parse.GetValue(top);
                if (k < 1)
                    throw new ArgumentException("--top must be at least 1.");
                var modelOption = parse.GetValue(model)!;
                var modelPath = ModelFile.Resolve(modelOption, ModelKind.Sequence);
                var outPath = parse.GetValue(output);
                CommonOptions.RefuseOverwritingInput(outPath, "--out", [(modelPath, "--model"), .. (parse.GetValue(input.Events) ?? []).Select(e => ((string?)e, "--events"))]);
                var sequenceModel = SequenceModel.Load(modelPath);
                // Rejected rows (--on-bad-row skip) go beside --out, or to the temporary folder without it.
                var rejectsPath = outPath is null
                    ? Path.Combine(Path.GetTempPath(), $"exania-predict-sequence-{Environment.ProcessId}.rejects.csv")
                    : WindowsCommand.RejectsPathFor(outPath);
                var (log, load) = input.Load(parse, rejectsPath);
                if (log.Count == 0)
                    return cli.Fail($"no events were accepted ({load.HumanLine()})", 2);
                var withAttention = parse.GetValue(showAttention);
                var predictions = new JsonArray();
                foreach (var prefix in SequencePreprocessor.Prefixes(log, sequenceModel.Field, [.. sequenceModel.ExtraInputs.Select(x => x.Field)], sequenceModel.NumericInputs))
                {
                    var prediction = sequenceModel.Predict(prefix);
                    var ranked = Enumerable.Range(0, prediction.Probabilities.Length).OrderByDescending(c => prediction.Probabilities[c]).ThenBy(c => c).Take(k).ToArray();
                    var first = prefix.Actions.Count - prediction.Attention.Length;
                    var entry = new JsonObject
                    {
                        ["session_id"] = prefix.Session,
                        ["events"] = prefix.Actions.Count,
                        ["top"] = new JsonArray([.. ranked.Select(c => (JsonNode)new JsonObject
                        {
                            ["action"] = sequenceModel.Vocabulary.ClassName(c),
                            ["probability"] = Math.Round(prediction.Probabilities[c], 6),
                        })]),
                    };
                    // Only on request: over long item sessions the weights outweigh the predictions many times over.
                    if (withAttention)
                    {
                        var attention = new JsonArray();
                        for (var i = 0; i < prediction.Attention.Length; i++)
                            attention.Add(new JsonObject
                            {
                                ["action"] = prefix.Actions[first + i],
                                ["timestamp"] = prefix.Timestamps[first + i],
                                ["weight"] = Math.Round(prediction.Attention[i], 6),
                            });
                        entry["attention"] = attention;
                    }
                    predictions.Add(entry);
                    if (!cli.Json)
                    {
                        var table = new Table().Title($"session {Markup.Escape(prefix.Session)} ({prefix.Actions.Count} events)").AddColumns("next action", "probability");
                        foreach (var c in ranked)
                            table.AddRow(Markup.Escape(sequenceModel.Vocabulary.ClassName(c)), $"{prediction.Probabilities[c]:0.0000}");
                        cli.Table(table);
                        if (withAttention)
                        {
                            var weights = new Table().AddColumns("past event", "timestamp", "attention");
                            for (var i = 0; i < prediction.Attention.Length; i++)
                                weights.AddRow(Markup.Escape(prefix.Actions[first + i]), prefix.Timestamps[first + i].ToString("R", CultureInfo.InvariantCulture), $"{prediction.Attention[i]:0.000}");
                            cli.Table(weights);
                        }
                    }
                }
                var result = new JsonObject
                {
                    ["command"] = "predict sequence",
                    ["model"] = modelPath,
                    ["sessions"] = predictions.Count,
                    ["top"] = k,
                    ["attention"] = withAttention,
                    ["predictions"] = predictions,
                    ["input"] = ReportJson.ToNode(load, EventsJsonContext.Default.EventLoadReport),
                    ["seconds"] = CliOutput.Seconds(watch),
                };
                return Finish(cli, result, outPath);
            });
        });
        return command;
    }

    /// <summary>Writes the result to <paramref name="outPath"/> when given (atomically), prints it, exit 0.</summary>
    private static int Finish(CliOutput cli, JsonObject result, string? outPath)
    {
        if (outPath is not null)
        {
            AtomicFile.WriteAllText(outPath, result.ToJsonString(CliOutput.JsonOptions));
            result["out"] = outPath;
        }
        cli.Result(result);
        return 0;
    }

    private static (SequenceDataset Data, EventLoadReport Load) Build(CliOutput cli, EventInput input, PreprocessingOptions prep, ParseResult parse, SequenceOptions options, string rejectsPath)
    {
        // When the action is not what is predicted, a file without an action column (DIGINETICA's item views) is fine:
        // every event gets the neutral action "event" unless --default-action names one.
        if (options.Field != SequenceField.Action)
            input.DefaultActionFallback = "event";
        var (log, load) = cli.Step("reading events", _ => input.Load(parse, rejectsPath));
        if (log.Count == 0)
            throw new ArgumentException($"no events were accepted ({load.HumanLine()})");
        Exania.Events.EventLog? testLog = null;
        if (parse.GetValue(prep.TestEvents) is { Length: > 0 } testFiles)
        {
            var testRejects = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(rejectsPath))!, "test-events.rejects.csv");
            (testLog, var testLoad) = cli.Step("reading test events", _ => EventLoader.Load(testFiles, input.ReaderOptions(parse), testRejects, parse.GetValue(input.SessionGap)));
            cli.Info($"[grey]test events: {Markup.Escape(testLoad.HumanLine())}[/]");
            if (testLog.Count == 0)
                throw new ArgumentException($"no test events were accepted ({testLoad.HumanLine()})");
        }
        var data = SequencePreprocessor.Build(log, options, testLog);
        if (data.Cleaning.DateOnlyTies > 0)
            cli.Warn($"the timestamps carry dates only: {data.Cleaning.DateOnlyTies:N0} event(s) share a day with an earlier event of their session, so their order is the file's and same-day repeats count as duplicates; give the time of day (e.g. --time-offset) if the file has it");
        return (data, load);
    }

    private static IEnumerable<(string Name, SequenceSamples Samples)> Splits(SequenceDataset data) =>
        [("train", data.Train), ("validation", data.Validation), ("test", data.Test)];

    /// <summary>One sample per row: session_id, target action, then the unpadded input actions and log1p gaps, space-separated.</summary>
    private static void WriteSamples(string path, SequenceDataset data, SequenceSamples samples)
    {
        AtomicFile.WriteText(path, writer =>
        {
            writer.Write("session_id,target,actions,log_gaps\n");
            var line = new StringBuilder();
            for (var i = 0; i < samples.Count; i++)
            {
                line.Clear();
                var tokens = samples.TokensOf(i);
                var gaps = samples.GapsOf(i);
                var first = 0;
                while (tokens[first] == SequenceVocabulary.Padding) first++;
                for (var t = first; t < tokens.Length; t++)
                    line.Append(t == first ? "" : " ").Append(data.Vocabulary[tokens[t]]);
                line.Append(',');
                for (var t = first; t < tokens.Length; t++)
                    line.Append(t == first ? "" : " ").Append(gaps[t].ToString("R", CultureInfo.InvariantCulture));
                CsvFieldWriter.WriteField(writer, data.SessionNames[samples.Sessions[i]]);
                writer.Write(',');
                CsvFieldWriter.WriteField(writer, data.Vocabulary.ClassName(samples.Targets[i]));
                writer.Write(',');
                writer.Write(line);
                writer.Write('\n');
            }
        });
    }

    private static JsonObject Summary(SequenceDataset data, EventLoadReport load)
    {
        var c = data.Cleaning;
        return new JsonObject
        {
            ["events"] = c.EventsIn,
            ["duplicates_removed"] = c.DuplicatesRemoved,
            ["date_only_ties"] = c.DateOnlyTies,
            ["out_of_order_events"] = c.OutOfOrderEvents,
            ["sessions_reordered"] = c.SessionsReordered,
            ["sessions_in"] = c.SessionsIn,
            ["empty_sessions_dropped"] = c.EmptySessionsDropped,
            ["sessions"] = c.Sessions,
            ["split_by"] = data.Options.SplitBy.ToString().ToLowerInvariant(),
            ["split_units"] = new JsonObject { ["train"] = data.TrainUnits, ["validation"] = data.ValidationUnits, ["test"] = data.TestUnits },
            ["samples"] = new JsonObject { ["train"] = data.Train.Count, ["validation"] = data.Validation.Count, ["test"] = data.Test.Count },
            ["vocabulary"] = data.Vocabulary.Count,
            ["max_len"] = data.Options.MaxLength,
            ["target"] = data.Options.Field.ToString().ToLowerInvariant(),
            ["extra_inputs"] = new JsonArray([.. data.Options.ExtraInputs.Zip(data.ExtraVocabularies, (f, v) => (JsonNode)new JsonObject
            {
                ["field"] = f.ToString().ToLowerInvariant(),
                ["vocabulary"] = v.Count,
            })]),
            ["numeric_inputs"] = new JsonArray([.. data.Options.NumericInputs.Select(f => (JsonNode)EventFields.Name(f))]),
            ["min_count"] = data.Options.MinCount,
            ["oov_targets_dropped"] = new JsonObject
            {
                ["train"] = data.OovTargetsDropped[0],
                ["validation"] = data.OovTargetsDropped[1],
                ["test"] = data.OovTargetsDropped[2],
            },
            ["seed"] = data.Options.Seed,
            ["input"] = ReportJson.ToNode(load, EventsJsonContext.Default.EventLoadReport),
        };
    }

    private static double OovShare(SequenceSamples samples)
    {
        var oov = 0;
        foreach (var y in samples.Targets)
            if (y == SequenceVocabulary.OutOfVocabulary - 1) oov++;
        return samples.Count == 0 ? 0 : oov / (double)samples.Count;
    }

    private static JsonObject Figures(SequenceEvaluation e, SequenceTrainingResult trained, SequenceDataset data, SequenceTrainingOptions options)
    {
        static double R(double x) => double.IsFinite(x) ? Math.Round(x, 6) : x;
        var m = e.Model;
        return new JsonObject
        {
            ["accuracy"] = R(m.Accuracy),
            ["markov_accuracy"] = R(e.Markov.Accuracy),
            ["majority_accuracy"] = R(e.Majority.Accuracy),
            ["top3_accuracy"] = R(e.Top3Accuracy),
            ["macro_precision"] = R(m.MacroPrecision),
            ["macro_recall"] = R(m.MacroRecall),
            ["macro_f1"] = R(m.MacroF1),
            ["weighted_precision"] = R(m.WeightedPrecision),
            ["weighted_recall"] = R(m.WeightedRecall),
            ["weighted_f1"] = R(m.WeightedF1),
            ["markov_macro_f1"] = R(e.Markov.MacroF1),
            ["markov_top3_accuracy"] = R(e.MarkovTop3Accuracy),
            ["test_loss"] = R(e.Loss),
            ["markov_test_loss"] = R(e.MarkovLoss),
            ["hr_at_10"] = R(e.Ranking.HitRate10),
            ["mrr_at_20"] = R(e.Ranking.Mrr20),
            ["ndcg_at_10"] = R(e.Ranking.Ndcg10),
            ["ranking"] = RankingJson(e.Rankings),
            ["target"] = data.Options.Field.ToString().ToLowerInvariant(),
            ["classes"] = data.Vocabulary.ClassCount,
            // Targets outside the training vocabulary are all one class, <oov>, which a model (or the chain) can "hit":
            // with item-like targets read the accuracy next to this share.
            ["oov_target_share"] = R(OovShare(data.Test)),
            ["test_samples"] = m.Samples,
            ["seconds_per_epoch"] = R(trained.SecondsPerEpoch),
            ["inference_sequences_per_second"] = Math.Round(e.SequencesPerSecond, 1),
            ["epochs_run"] = trained.Epochs.Count,
            ["best_epoch"] = trained.BestEpoch,
            ["stopped_early"] = trained.StoppedEarly,
            ["epochs"] = new JsonArray([.. trained.Epochs.Select(x => (JsonNode)new JsonObject
            {
                ["epoch"] = x.Epoch,
                ["train_loss"] = R(x.TrainLoss),
                ["validation_loss"] = double.IsNaN(x.ValidationLoss) ? null : R(x.ValidationLoss),
                ["validation_mrr_at_20"] = double.IsNaN(x.ValidationMrr20) ? null : R(x.ValidationMrr20),
                ["seconds"] = R(x.Seconds),
            })]),
            ["params"] = new JsonObject
            {
                ["max_len"] = data.Options.MaxLength,
                ["emb"] = options.Embedding,
                ["hidden"] = options.Hidden,
                ["layers"] = options.Layers,
                ["batch"] = options.BatchSize,
                ["lr"] = options.LearningRate,
                ["dropout"] = options.Dropout,
                ["clip"] = options.ClipNorm,
                ["epochs"] = options.Epochs,
                ["patience"] = options.Patience,
                ["class_weights"] = options.ClassWeights,
                ["repeat"] = options.Repeat,
                ["sampled_softmax_negatives"] = options.NegativesFor(data.Vocabulary.ClassCount),
                ["session_priors"] = options.SessionPriors,
                ["prior_lr"] = options.PriorLearningRate ?? options.LearningRate,
                ["early_stopping"] = options.EarlyStopping == EarlyStoppingMetric.Loss ? "loss" : "mrr",
                ["seed"] = options.Seed,
                ["threads"] = Parallelism.Resolve(options.Threads),
            },
        };
    }

    private static JsonObject Report(ClassificationReport r)
    {
        var classes = new JsonArray();
        foreach (var c in r.Classes)
            classes.Add(new JsonObject
            {
                ["action"] = c.Name,
                ["precision"] = Math.Round(c.Precision, 6),
                ["recall"] = Math.Round(c.Recall, 6),
                ["f1"] = Math.Round(c.F1, 6),
                ["support"] = c.Support,
            });
        JsonArray? confusion = null;
        if (r.Confusion is { } counts)
        {
            confusion = [];
            for (var i = 0; i < r.Classes.Count; i++)
            {
                var row = new JsonArray();
                for (var j = 0; j < r.Classes.Count; j++) row.Add(counts[i, j]);
                confusion.Add(row);
            }
        }
        return new JsonObject
        {
            ["accuracy"] = Math.Round(r.Accuracy, 6),
            ["macro"] = new JsonObject { ["precision"] = Math.Round(r.MacroPrecision, 6), ["recall"] = Math.Round(r.MacroRecall, 6), ["f1"] = Math.Round(r.MacroF1, 6) },
            ["weighted"] = new JsonObject { ["precision"] = Math.Round(r.WeightedPrecision, 6), ["recall"] = Math.Round(r.WeightedRecall, 6), ["f1"] = Math.Round(r.WeightedF1, 6) },
            ["classes"] = classes,
            // Above ClassificationReport.ConfusionLimit classes the matrix would dwarf the file: null, and the per-class scores remain.
            ["confusion_matrix"] = confusion is null ? null
                : new JsonObject { ["labels"] = new JsonArray([.. r.Classes.Select(c => JsonValue.Create(c.Name))]), ["rows_true_columns_predicted"] = confusion },
        };
    }

    private static Table SummaryTable(SequenceDataset data)
    {
        var c = data.Cleaning;
        var table = new Table().Title("next-action samples").AddColumns("", "value");
        table.AddRow("events / duplicates removed", $"{c.EventsIn:N0} / {c.DuplicatesRemoved:N0}");
        table.AddRow("out-of-order events (sessions re-sorted)", $"{c.OutOfOrderEvents:N0} ({c.SessionsReordered:N0})");
        table.AddRow("sessions kept / dropped (< 2 events)", $"{c.Sessions:N0} / {c.EmptySessionsDropped:N0}");
        table.AddRow(data.Options.SplitBy == SplitUnit.Time ? "sessions by start time, train / validation / test" : $"{data.Options.SplitBy.ToString().ToLowerInvariant()}s train / validation / test", $"{data.TrainUnits:N0} / {data.ValidationUnits:N0} / {data.TestUnits:N0}");
        table.AddRow("samples train / validation / test", $"{data.Train.Count:N0} / {data.Validation.Count:N0} / {data.Test.Count:N0}");
        table.AddRow("vocabulary (with <pad>, <oov>)", $"{data.Vocabulary.Count}");
        if (data.Options.DropOovTargets)
            table.AddRow("samples dropped for an <oov> target (train / validation / test)",
                $"{data.OovTargetsDropped[0]:N0} / {data.OovTargetsDropped[1]:N0} / {data.OovTargetsDropped[2]:N0}");
        return table;
    }

    private static Table EpochTable(SequenceTrainingResult trained)
    {
        var table = new Table().Title("epochs").AddColumns("epoch", "train loss", "validation loss", "validation MRR@20", "seconds");
        foreach (var e in trained.Epochs)
            table.AddRow($"{e.Epoch}{(e.Epoch == trained.BestEpoch ? " (kept)" : "")}", $"{e.TrainLoss:0.0000}", double.IsNaN(e.ValidationLoss) ? "-" : $"{e.ValidationLoss:0.0000}",
                double.IsNaN(e.ValidationMrr20) ? "-" : $"{e.ValidationMrr20:0.0000}", $"{e.Seconds:0.00}");
        return table;
    }

    private static Table ScoreTable(SequenceEvaluation e)
    {
        var table = new Table().Title($"test split ({e.Model.Samples:N0} samples)").AddColumns("", "model", "Markov", "majority");
        table.AddRow("accuracy", $"{e.Model.Accuracy:0.0000}", $"{e.Markov.Accuracy:0.0000}", $"{e.Majority.Accuracy:0.0000}");
        table.AddRow("top-3 accuracy", $"{e.Top3Accuracy:0.0000}", $"{e.MarkovTop3Accuracy:0.0000}", "");
        table.AddRow("HR@10 / MRR@20 / NDCG@10 (full vocabulary)", $"{e.Ranking.HitRate10:0.0000} / {e.Ranking.Mrr20:0.0000} / {e.Ranking.Ndcg10:0.0000}", "", "");
        table.AddRow("log-loss", $"{e.Loss:0.0000}", $"{e.MarkovLoss:0.0000} (add-one smoothed)", "");
        table.AddRow("macro precision / recall / F1", $"{e.Model.MacroPrecision:0.000} / {e.Model.MacroRecall:0.000} / {e.Model.MacroF1:0.000}",
            $"{e.Markov.MacroPrecision:0.000} / {e.Markov.MacroRecall:0.000} / {e.Markov.MacroF1:0.000}", $"{e.Majority.MacroF1:0.000}");
        table.AddRow("weighted F1", $"{e.Model.WeightedF1:0.000}", $"{e.Markov.WeightedF1:0.000}", $"{e.Majority.WeightedF1:0.000}");
        return table;
    }

    /// <summary>Recall@k and MRR@k of every method, over the seen targets and with the unseen ones counted as misses.</summary>
    internal static Table RankingTable(IReadOnlyList<RankingReport> rankings, string title)
    {
        // MRR@1 equals R@1, so it is not repeated; the JSON has every figure.
        var table = new Table().Title(Markup.Escape(title)).AddColumns("method", "R@1", "R@5", "R@10", "R@20", "MRR@5", "MRR@10", "MRR@20", "R@20*", "MRR@20*");
        foreach (var r in rankings)
            table.AddRow(Markup.Escape(r.Method), $"{r.At(1).Recall:0.000}", $"{r.At(5).Recall:0.000}", $"{r.At(10).Recall:0.000}", $"{r.At(20).Recall:0.000}",
                $"{r.At(5).Mrr:0.000}", $"{r.At(10).Mrr:0.000}", $"{r.At(20).Mrr:0.000}", $"{r.All[^1].Recall:0.000}", $"{r.All[^1].Mrr:0.000}");
        table.Caption("* with the unseen targets counted as misses");
        return table;
    }

    internal static JsonArray RankingJson(IReadOnlyList<RankingReport> rankings)
    {
        static JsonObject Figures(IReadOnlyList<RankingAtK> list)
        {
            var o = new JsonObject();
            foreach (var x in list)
            {
                o[$"recall_at_{x.K}"] = Math.Round(x.Recall, 6);
                o[$"mrr_at_{x.K}"] = Math.Round(x.Mrr, 6);
                o[$"ndcg_at_{x.K}"] = Math.Round(x.Ndcg, 6);
            }
            return o;
        }
        return new JsonArray([.. rankings.Select(r => (JsonNode)new JsonObject
        {
            ["method"] = r.Method,
            ["samples"] = r.Samples,
            ["unseen_targets"] = r.UnseenTargets,
            ["seen"] = Figures(r.Seen),
            ["all"] = Figures(r.All),
        })]);
    }

    /// <summary>Classes past which the per-class table is left out of the human output (item vocabularies run to thousands).</summary>
    internal const int MaxClassTableRows = 50;

    private static Table ClassTable(ClassificationReport r)
    {
        if (r.Classes.Count > MaxClassTableRows)
        {
            // One line instead of thousands of rows; the figures stay in the results file.
            return new Table().NoBorder().HideHeaders().AddColumn("").AddRow(Markup.Escape(
                $"per-class table omitted: {r.Classes.Count:N0} classes (more than {MaxClassTableRows}); the per-class figures are in " +
                $"{ResultsFileName} in the model folder (test.classes)"));
        }
        var table = new Table().Title("per class (model)").AddColumns("action", "precision", "recall", "F1", "support");
        foreach (var c in r.Classes)
            table.AddRow(Markup.Escape(c.Name), $"{c.Precision:0.000}", $"{c.Recall:0.000}", $"{c.F1:0.000}", $"{c.Support:N0}");
        return table;
    }
}

using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Exania.Campaigns;
using Exania.Conversion;
using Exania.Core;
using Exania.Reports;
using Spectre.Console;

namespace Exania.Cli;

/// <summary>
/// <c>exania segment</c>: users of an event file (or rows of a plain table) in, k-means segments with profiles and
/// names out; <c>exania predict segment</c> assigns new users or rows with a saved model.
/// </summary>
internal static class SegmentCommand
{
    private static readonly string s_modelFileName = ModelFile.FileNameOf(ModelKind.Segment);
    private static readonly string s_resultsFileName = ModelFile.ResultsFileNameOf(ModelKind.Segment);
    private const string AssignmentsFileName = "segment_assignments.csv";

    /// <summary>The input options both commands share: events (the shared event options) or a table.</summary>
    private sealed class SegmentInput
    {
        public SegmentInput()
        {
            Events.Events.Required = false;
            Events.Columns.Description = "With --table: the numeric columns to segment on, comma-separated (default: every numeric column). " +
                                         "With --events: the column names of a header-less CSV (with --no-header).";
            // One --delimiter for both inputs: the event options' (a command cannot have two options of one name).
            Events.Delimiter.Description = "Field separator of the CSV input, --events or --table: one character such as ';' or '|', " +
                                           "or tab (also \\t), semicolon, comma, pipe.";
        }

        public EventInput Events { get; } = new();

        public Option<string?> Table { get; } = new("--table")
        {
            Description = "A plain table (CSV with a header row, or JSON Lines) whose rows are segmented instead of the users of --events.",
        };

        public Option<string> Conversion { get; } = CommonOptions.Conversion();

        public Option<string> Click { get; } = CommonOptions.Click();

        public void AddTo(Command command)
        {
            Events.AddTo(command);
            command.Options.Add(Table);
            command.Options.Add(Conversion);
            command.Options.Add(Click);
        }

        /// <summary>The input files, for the refusal to write over one.</summary>
        public (string? Path, string Flag)[] Inputs(ParseResult parse) =>
            [(parse.GetValue(Table), "--table"), .. (parse.GetValue(Events.Events) ?? []).Select(e => ((string?)e, "--events"))];

        public UserFeatureOptions FeatureOptions(ParseResult parse) => new UserFeatureOptions
        {
            ConversionActions = CliValues.ParseList(parse.GetValue(Conversion)!),
            ClickActions = CliValues.ParseList(parse.GetValue(Click)!),
        }.Validate();

        /// <summary>
        /// Reads the rows: users of the events (with <paramref name="featureOptions"/>) or the table's
        /// <paramref name="tableColumns"/>. Returns the data and, for events, the load report.
        /// </summary>
        public (SegmentData Data, Exania.Events.EventLoadReport? Load) Read(CliOutput cli, ParseResult parse, UserFeatureOptions featureOptions,
            IReadOnlyList<string>? tableColumns, bool log1p, string rejectsPath)
        {
            var events = parse.GetValue(Events.Events);
            var table = parse.GetValue(Table);
            if ((events is { Length: > 0 }) == (table is not null))
                throw new ArgumentException("Give either --events (users are segmented) or --table (rows are segmented), not both and not neither.");
            if (table is not null)
            {
                var options = new CampaignReadOptions { Delimiter = EventInput.ParseDelimiter(parse.GetValue(Events.Delimiter)!) };
                var (read, _) = cli.Step("reading the table", _ => CampaignTableReader.Read(table, options));
                return (SegmentData.FromTable(read, tableColumns, log1p), null);
            }
            if (parse.GetValue(Events.Columns) is not null && !parse.GetValue(Events.NoHeader))
                throw new ArgumentException("--columns with --events names the columns of a header-less CSV and needs --no-header; to choose features, segment a --table.");
            var (log, load) = cli.Step("reading events", _ => Events.Load(parse, rejectsPath));
            if (log.Count == 0)
                throw new ArgumentException($"no events were accepted from {string.Join(", ", events!)} ({load.HumanLine()})");
            return (SegmentData.FromUsers(UserFeatures.Build(log, featureOptions)), load);
        }
    }

    public static Command Create()
    {
        var input = new SegmentInput();
        var log1p = new Option<bool>("--log1p") { Description = "With --table: take log(1 + x) of every column before standardizing (spending, counts). User features choose their own." };
        var k = new Option<string>("--k") { Description = "Number of segments, or a range such as 2..8 to choose k by the mean silhouette.", DefaultValueFactory = _ => "4" };
        var restarts = new Option<int>("--restarts") { Description = "k-means++ restarts (scikit-learn's n_init); the least inertia is kept.", DefaultValueFactory = _ => KMeansOptions.Default.Restarts };
        var maxIter = new Option<int>("--max-iter") { Description = "Lloyd steps per restart at most.", DefaultValueFactory = _ => KMeansOptions.Default.MaxIterations };
        var sample = new Option<int>("--sample") { Description = "Rows of the seeded sample the silhouette is computed on.", DefaultValueFactory = _ => SegmentationOptions.Default.SilhouetteSample };
        var threads = new Option<int>("--threads") { Description = "Worker threads (0: all processors); the result does not depend on it.", DefaultValueFactory = _ => 0 };
        var seed = CommonOptions.Seed(0);
        var output = new Option<string?>("--out") { Description = $"Folder to write {s_modelFileName}, {AssignmentsFileName} and {s_resultsFileName} to." };
        var reportOption = CommonOptions.Report();
        var json = CommonOptions.Json();
        var command = new Command("segment", "Segment users (from events) or table rows with k-means: profiles, descriptive names, a saved model.");
        input.AddTo(command);
        foreach (var option in new Option[] { log1p, k, restarts, maxIter, sample, threads, seed, output, reportOption, json })
            command.Options.Add(option);
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var (minK, maxK) = ParseK(parse.GetValue(k)!);
                var options = new SegmentationOptions
                {
                    K = minK,
                    MaxK = maxK,
                    SilhouetteSample = parse.GetValue(sample),
                    KMeans = KMeansOptions.Default with
                    {
                        Restarts = parse.GetValue(restarts),
                        MaxIterations = parse.GetValue(maxIter),
                        Seed = parse.GetValue(seed),
                        Threads = parse.GetValue(threads),
                    },
                }.Validate();
                var folder = parse.GetValue(output);
                if (folder is not null)
                    foreach (var name in new[] { s_modelFileName, AssignmentsFileName, s_resultsFileName })
                        CommonOptions.RefuseOverwritingInput(Path.Combine(folder, name), "--out", input.Inputs(parse));
                var reportPath = parse.GetValue(reportOption);
                CommonOptions.RefuseOverwritingInput(reportPath, "--report", input.Inputs(parse));
                var featureOptions = input.FeatureOptions(parse);
                var columns = parse.GetValue(input.Events.Columns) is { } list && parse.GetValue(input.Table) is not null ? CliValues.ParseList(list) : null;
                var (data, load) = input.Read(cli, parse, featureOptions, columns, parse.GetValue(log1p),
                    Path.GetFullPath(Path.Combine(folder ?? ".", "segment.rejects.csv")));
                var result = cli.Step(maxK is null ? $"k-means, k = {minK}" : $"k-means, k = {minK}..{maxK}", _ => Segmentation.Fit(data, options));
                var model = result.Model;
                var report = result.Report;

                if (load is not null)
                    cli.Info($"[grey]{Markup.Escape(load.HumanLine())}[/]");
                Show(cli, report);
                var node = ReportJson.ToNode(report);
                var resultsJson = ReportJson.Serialize(report);
                // Up to 2,000 projected points belong in the results file and the report, not in every printed result.
                node.Remove("projection");
                if (folder is not null)
                {
                    Directory.CreateDirectory(folder);
                    var modelPath = Path.Combine(folder, s_modelFileName);
                    var assignmentsPath = Path.Combine(folder, AssignmentsFileName);
                    model.Save(modelPath);
                    SegmentCsv.Write(assignmentsPath, data, result.Assignments, model.SegmentNames);
                    AtomicFile.WriteAllText(Path.Combine(folder, s_resultsFileName), resultsJson);
                    node["model"] = modelPath;
                    node["assignments"] = assignmentsPath;
                    cli.Info($"model → {Markup.Escape(modelPath)}; assignments → {Markup.Escape(assignmentsPath)}");
                }
                node["command"] = "segment";
                if (load is not null)
                    node["input"] = ReportJson.ToNode(load, Exania.Events.EventsJsonContext.Default.EventLoadReport);
                if (reportPath is not null)
                {
                    var inputName = parse.GetValue(input.Table) ?? parse.GetValue(input.Events.Events)?.FirstOrDefault();
                    node["report"] = CliReports.Write(cli, reportPath, SegmentReportPage.Build(report, inputName is null ? null : Path.GetFileName(inputName), resultsJson));
                }
                cli.Result(node);
                return 0;
            });
        });
        return command;
    }

    /// <summary><c>exania predict segment</c>: the nearest segment of every user or row, with a saved model.</summary>
    public static Command CreatePredict()
    {
        var input = new SegmentInput();
        var model = new Option<string>("--model") { Description = $"Model folder (with {s_modelFileName}) or file.", Required = true };
        var output = new Option<string>("--out") { Description = "Assignments CSV to write: user_id (or row), segment, segment_name.", Required = true };
        var json = CommonOptions.Json();
        var command = new Command("segment", "Assign users (from events) or table rows to the segments of a saved model.");
        input.AddTo(command);
        command.Options.Add(model);
        command.Options.Add(output);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var modelPath = ModelFile.Resolve(parse.GetValue(model)!, ModelKind.Segment);
                var outPath = parse.GetValue(output)!;
                CommonOptions.RefuseOverwritingInput(outPath, "--out", [.. input.Inputs(parse), (modelPath, "--model")]);
                var segments = SegmentModel.Load(modelPath);
                var featureOptions = segments.Source == SegmentSource.Events ? segments.UserFeatureOptions : UserFeatureOptions.Default;
                var (data, load) = input.Read(cli, parse, featureOptions, segments.FeatureNames, log1p: false,
                    Path.GetFullPath(outPath + ".rejects.csv"));
                if (data.Source != segments.Source)
                    throw new ArgumentException($"The model segments {Word(segments.Source)}; give --{(segments.Source == SegmentSource.Events ? "events" : "table")}.");
                var assignments = segments.Assign(data);
                SegmentCsv.Write(outPath, data, assignments, segments.SegmentNames);
                var sizes = new int[segments.K];
                foreach (var a in assignments)
                    sizes[a]++;
                var table = new Table().AddColumns("segment", "name", "rows");
                var counts = new JsonArray();
                for (var s = 0; s < segments.K; s++)
                {
                    table.AddRow($"{s}", Markup.Escape(segments.SegmentNames[s]), $"{sizes[s]:N0}");
                    counts.Add(new JsonObject { ["segment"] = s, ["name"] = segments.SegmentNames[s], ["size"] = sizes[s] });
                }
                if (load is not null)
                    cli.Info($"[grey]{Markup.Escape(load.HumanLine())}[/]");
                cli.Table(table);
                cli.Info($"assigned {data.Rows:N0} {Word(data.Source)} → {Markup.Escape(outPath)}" +
                         (data.SkippedMissing > 0 ? $" ({data.SkippedMissing:N0} rows skipped for a missing value)" : ""));
                var result = new JsonObject
                {
                    ["command"] = "predict segment",
                    ["rows"] = data.Rows,
                    ["rows_skipped_missing"] = data.SkippedMissing,
                    ["segments"] = counts,
                    ["out"] = outPath,
                };
                if (load is not null)
                    result["input"] = ReportJson.ToNode(load, Exania.Events.EventsJsonContext.Default.EventLoadReport);
                cli.Result(result);
                return 0;
            });
        });
        return command;
    }

    private static string Word(SegmentSource source) => source == SegmentSource.Events ? "users" : "table rows";

    /// <summary><c>N</c> or <c>A..B</c>.</summary>
    /// <exception cref="ArgumentException">Neither form.</exception>
    internal static (int Min, int? Max) ParseK(string text)
    {
        var parts = text.Split("..", StringSplitOptions.TrimEntries);
        if (parts.Length is 1 or 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low))
        {
            if (parts.Length == 1)
                return (low, null);
            if (int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var high))
                return (low, high);
        }
        throw new ArgumentException($"--k '{text}' is not a number of segments (4) or a range (2..8).");
    }

    private static void Show(CliOutput cli, SegmentReport report)
    {
        if (report.Candidates.Count > 1)
        {
            var choice = new Table().Title("k by mean silhouette").AddColumns("k", "inertia", "silhouette");
            foreach (var c in report.Candidates)
                choice.AddRow(c.K == report.K ? $"[bold]{c.K}[/]" : $"{c.K}", $"{c.Inertia:0.###}", $"{c.Silhouette:0.####}");
            cli.Table(choice);
        }
        var events = report.Source == SegmentSource.Events;
        var table = new Table().Title($"{report.K} segments of {report.Rows:N0} {Word(report.Source)}").AddColumns("segment", "name", "size", "share");
        if (events)
            table.AddColumns("buyers", "conv.", "drop-off");
        table.AddColumn("top features (z)");
        foreach (var s in report.Segments)
        {
            var top = string.Join(", ", s.Features.OrderByDescending(f => Math.Abs(f.ZDifference)).Take(2)
                .Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Name} {f.ZDifference:+0.00;-0.00}")));
            var cells = new List<string> { $"{s.Segment}", Markup.Escape(s.Name), $"{s.Size:N0}", $"{s.Share:P1}" };
            if (events)
                cells.AddRange([Percent(s.BuyerShare), Percent(s.ConversionRate), Percent(s.DropoffRate)]);
            cells.Add(Markup.Escape(top));
            table.AddRow([.. cells]);
        }
        cli.Table(table);
        cli.Info($"inertia {report.Inertia:0.###}, silhouette {report.Silhouette:0.####} (sample {report.SilhouetteSample:N0}), " +
                 $"{report.Restarts} restarts, seed {report.Seed}" +
                 (report.RowsSkippedMissing > 0 ? $"; {report.RowsSkippedMissing:N0} rows skipped for a missing value" : "") +
                 (report.DroppedConstantFeatures.Count > 0 ? $"; constant features left out: {Markup.Escape(string.Join(", ", report.DroppedConstantFeatures))}" : ""));
    }

    private static string Percent(double? value) => value is { } v && !double.IsNaN(v) ? v.ToString("P1", CultureInfo.InvariantCulture) : "";
}

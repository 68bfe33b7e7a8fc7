using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Exania.Core;
using Exania.Events;
using Exania.Features;
using Spectre.Console;

namespace Exania.Cli;

/// <summary><c>exania windows</c>: events in, sliding-window features and labels out.</summary>
internal static class WindowsCommand
{
    public static Command Create()
    {
        var input = new EventInput();
        var settings = new WindowSettings();
        var output = new Option<string>("--out") { Description = "Windows file to write: CSV, or Parquet for a .parquet path.", Required = true };
        var outFormat = CommonOptions.OutFormat();
        var stream = new Option<bool>("--stream")
        {
            Description = "Read the events in chunks of whole sessions and write each chunk's windows before reading on, so memory is bounded " +
                          "by the chunk, not the file. Needs files grouped by session, a session_id on every row, CSV or JSON Lines in and CSV out.",
        };
        var chunkEvents = new Option<int>("--chunk-events")
        {
            Description = "With --stream: events per chunk (whole sessions are kept together).",
            DefaultValueFactory = _ => StreamingWindows.DefaultChunkEvents,
        };
        var json = CommonOptions.Json();
        var command = new Command("windows", "Extract the 20 sliding-window features (and the ad-click label) from events.");
        input.AddTo(command);
        settings.AddTo(command);
        command.Options.Add(output);
        command.Options.Add(outFormat);
        command.Options.Add(stream);
        command.Options.Add(chunkEvents);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var outPath = parse.GetValue(output)!;
                var format = WindowFile.Resolve(CommonOptions.ParseOutFormat(parse.GetValue(outFormat)), outPath);
                CommonOptions.RefuseOverwritingInput(outPath, "--out", [.. (parse.GetValue(input.Events) ?? []).Select(e => ((string?)e, "--events"))]);
                var options = settings.Options(parse);
                if (parse.GetValue(stream))
                    return Stream(cli, input, parse, options, outPath, format, parse.GetValue(chunkEvents));
                var total = Stopwatch.StartNew();
                var (log, load) = cli.Step("reading events", _ => input.Load(parse, RejectsPathFor(outPath)));
                if (log.Count == 0)
                    return cli.Fail($"no events were accepted from {string.Join(", ", parse.GetValue(input.Events)!)} ({load.HumanLine()})", 2);
                var extract = Stopwatch.StartNew();
                var index = SessionIndex.Build(log);
                var table = WindowExtractor.Extract(log, index, options);
                var extractSeconds = CliOutput.Seconds(extract);
                var write = Stopwatch.StartNew();
                WindowFile.Write(table, outPath, format);
                var writeSeconds = CliOutput.Seconds(write);
                var seconds = CliOutput.Seconds(total);

                cli.Info($"[grey]{Markup.Escape(load.HumanLine())}[/]");
                var summary = new Table().AddColumns("", "value");
                summary.AddRow("events", $"{log.Count:N0}");
                summary.AddRow("sessions", $"{index.SessionCount:N0}");
                summary.AddRow("windows", $"{table.Rows:N0}");
                summary.AddRow("positives", $"{table.Positives:N0} ({Rate(table):P2})");
                summary.AddRow("seconds", $"{seconds:0.###} (extract {extractSeconds:0.###})");
                summary.AddRow("output", Markup.Escape(outPath));
                cli.Table(summary);
                cli.Result(new JsonObject
                {
                    ["command"] = "windows",
                    ["events"] = log.Count,
                    ["sessions"] = index.SessionCount,
                    ["windows"] = table.Rows,
                    ["positives"] = table.Positives,
                    ["positive_rate"] = Math.Round(Rate(table), 6),
                    ["seconds"] = seconds,
                    ["extract_seconds"] = extractSeconds,
                    ["write_seconds"] = writeSeconds,
                    ["events_per_second"] = Math.Round(log.Count / Math.Max(seconds, 1e-9), 1),
                    ["input"] = ReportJson.ToNode(load, EventsJsonContext.Default.EventLoadReport),
                    ["params"] = Params(options),
                    ["out"] = outPath,
                    ["out_format"] = format == DataFileFormat.Parquet ? "parquet" : "csv",
                });
                return 0;
            });
        });
        return command;
    }

    /// <summary><c>windows --stream</c>: the same windows, read and written chunk by chunk (<see cref="StreamingWindows"/>).</summary>
    private static int Stream(CliOutput cli, EventInput input, ParseResult parse, WindowOptions options, string outPath, DataFileFormat format, int chunkEvents)
    {
        if (format == DataFileFormat.Parquet)
            throw new ArgumentException("--stream writes CSV; give an --out that is not .parquet (or convert the CSV afterwards).");
        if (chunkEvents < 1)
            throw new ArgumentException($"--chunk-events must be a positive number of events (was {chunkEvents}).");
        var report = cli.Step("streaming windows", _ => StreamingWindows.Run(parse.GetValue(input.Events) ?? [], input.ReaderOptions(parse),
            RejectsPathFor(outPath), options, outPath, chunkEvents));
        var seconds = Math.Round(report.Seconds, 4);
        cli.Info($"[grey]{Markup.Escape(report.Input.HumanLine())}[/]");
        cli.Info($"{report.Windows:N0} windows from {report.Input.Accepted:N0} events in {report.Chunks:N0} chunks (at most {report.PeakEventsInMemory:N0} events in memory), {seconds:0.###} s → {Markup.Escape(outPath)}");
        cli.Result(new JsonObject
        {
            ["command"] = "windows",
            ["stream"] = true,
            ["events"] = report.Input.Accepted,
            ["windows"] = report.Windows,
            ["positives"] = report.Positives,
            ["positive_rate"] = report.Windows == 0 ? 0 : Math.Round(report.Positives / (double)report.Windows, 6),
            ["chunks"] = report.Chunks,
            ["peak_events_in_memory"] = report.PeakEventsInMemory,
            ["seconds"] = seconds,
            ["events_per_second"] = Math.Round(report.Input.Accepted / Math.Max(report.Seconds, 1e-9), 1),
            ["input"] = ReportJson.ToNode(report.Input, EventsJsonContext.Default.EventLoadReport),
            ["params"] = Params(options),
            ["out"] = outPath,
            ["out_format"] = "csv",
        });
        return 0;
    }

    /// <summary>
    /// Rejected rows are written beside the output: <c>windows.csv</c> → <c>windows.rejects.csv</c>. An output that is a
    /// stream (<c>/dev/null</c>, <c>/dev/stdout</c>, a pipe) has no folder of its own, so its rejects go to the current
    /// folder (<c>null.rejects.csv</c>).
    /// </summary>
    public static string RejectsPathFor(string outputPath)
    {
        var name = Path.GetFileNameWithoutExtension(outputPath) + ".rejects.csv";
        return OutputPath.KindOf(OutputPath.Resolve(outputPath)) == PathKind.Stream
            ? Path.GetFullPath(name)
            : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outputPath))!, name);
    }

    public static double Rate(WindowTable table) => table.Rows == 0 ? 0 : table.Positives / (double)table.Rows;

    public static JsonObject Params(WindowOptions options) => new()
    {
        ["window"] = options.WindowSeconds,
        ["step"] = options.StepSeconds,
        ["min_actions"] = options.MinActions,
        ["horizon"] = options.HorizonSeconds,
    };
}

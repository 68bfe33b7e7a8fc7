using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Exania.Core;
using Spectre.Console;

namespace Exania.Cli;

/// <summary>
/// How a command talks to its caller. With <c>--json</c> stdout carries exactly one JSON object (the figures, or
/// <c>{"error": ...}</c>) and nothing else; without it, people get tables, progress bars and plain errors on stderr.
/// </summary>
internal sealed class CliOutput
{
    /// <summary>The report serializer's policy (<see cref="ReportJson"/>), on one line, with readable non-ASCII text.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(ReportJson.Options)
    {
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public CliOutput(bool json) => Json = json;

    public bool Json { get; }

    /// <summary>
    /// The flag for each options field (e.g. <c>Exclude</c> → <c>--exclude</c>). Library messages name fields, never
    /// flags; an <see cref="ArgumentException"/> whose parameter is a mapped field is shown with its flag. Flags mean
    /// the same in every command, so one map serves them all.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> FlagNames = new Dictionary<string, string>
    {
        ["Exclude"] = "--exclude",
        ["TestFraction"] = "--test-fraction",
        ["DateColumn"] = "--date-column",
        ["Target"] = "--target",
        ["Rounds"] = "--rounds",
        ["MaxDepth"] = "--max-depth",
        ["LearningRate"] = "--learning-rate",
        ["MinChildWeight"] = "--min-child-weight",
        ["Lambda"] = "--lambda",
        ["Alpha"] = "--alpha",
        ["Gamma"] = "--gamma",
        ["Subsample"] = "--subsample",
        ["ColsampleByTree"] = "--colsample",
        ["MaxBins"] = "--max-bins",
        ["MaxLeaves"] = "--max-leaves",
        ["EarlyStoppingRounds"] = "--early-stopping",
        ["Threads"] = "--threads",
        ["SessionGapSeconds"] = "--session-gap",
        ["WindowSeconds"] = "--window",
        ["StepSeconds"] = "--step",
        ["MinActions"] = "--min-actions",
        ["HorizonSeconds"] = "--horizon",
        ["Degree"] = "--degree",
        ["Folds"] = "--folds",
        ["C"] = "--c",
        ["MaxLength"] = "--max-len",
        ["ObserveSeconds"] = "--observe",
        ["ConversionActions"] = "--conversion",
        ["ClickActions"] = "--click",
        ["Steps"] = "--stages",
        ["Exclusions"] = "--exclude",
        ["EntryBefore"] = "--to",
        ["AfterStep"] = "--exclude",
        ["Periods"] = "--periods",
        ["StartAction"] = "--start",
        ["ReturnAction"] = "--return",
        ["K"] = "--k",
        ["MaxK"] = "--k",
        ["Restarts"] = "--restarts",
        ["MaxIterations"] = "--max-iter",
        ["SilhouetteSample"] = "--sample",
        ["Columns"] = "--columns",
        ["Log1p"] = "--log1p",
        ["Delimiter"] = "--delimiter",
        ["TimestampOffsetColumn"] = "--time-offset",
        ["DefaultAction"] = "--default-action",
    };

    /// <summary>Progress bars only for a person at a terminal.</summary>
    public bool Interactive => !Json && !Console.IsOutputRedirected && !Console.IsErrorRedirected;

    /// <summary>A line for people (suppressed in JSON mode).</summary>
    public void Info(string markup)
    {
        if (!Json) AnsiConsole.MarkupLine(markup);
    }

    /// <summary>A warning on stderr, in human and JSON mode alike (the JSON on stdout stays one object).</summary>
    public void Warn(string text) => Console.Error.WriteLine($"warning: {text}");

    public void Table(Table table)
    {
        if (!Json) AnsiConsole.Write(table);
    }

    /// <summary>Prints the one JSON object of a <c>--json</c> run.</summary>
    public void Result(JsonObject result)
    {
        if (Json) Console.Out.WriteLine(result.ToJsonString(JsonOptions));
    }

    /// <summary>
    /// Prints a library report as the result of an analysis command over events: the report's fields, the command
    /// name and the load report of the events under <c>input</c>. Returns exit code 0.
    /// </summary>
    public int AnalysisResult(string command, JsonObject report, Exania.Events.EventLoadReport load)
    {
        report["command"] = command;
        report["input"] = ReportJson.ToNode(load, Exania.Events.EventsJsonContext.Default.EventLoadReport);
        Result(report);
        return 0;
    }

    /// <summary>
    /// How often a step that is not drawn as a progress bar (a <c>--json</c> run, or output redirected to a file or a
    /// pipe) reports on stderr that it is alive and how far it got: every 2 seconds, or <c>EXANIA_PROGRESS_SECONDS</c>.
    /// A step shorter than this prints nothing.
    /// </summary>
    internal static TimeSpan ProgressInterval { get; set; } =
        double.TryParse(Environment.GetEnvironmentVariable("EXANIA_PROGRESS_SECONDS"), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds <= 86_400
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs <paramref name="work"/> with a progress bar titled <paramref name="title"/> when interactive; otherwise
    /// with a heartbeat on stderr every <see cref="ProgressInterval"/>: under <c>--json</c> one JSON object per line
    /// (<c>{"step": ..., "fraction": 0.42, "elapsed_seconds": 12.1}</c>, fraction null when the step does not report
    /// one), else a plain line. stdout stays the one result object.
    /// </summary>
    public T Step<T>(string title, Func<Action<double>, T> work)
    {
        if (!Interactive)
            return WithHeartbeat(title, work);
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(title, maxValue: 1.0);
                result = work(p => task.Value = Math.Clamp(p, 0, 1));
                task.Value = 1.0;
            });
        return result;
    }

    private T WithHeartbeat<T>(string title, Func<Action<double>, T> work)
    {
        var latest = double.NaN;
        var watch = Stopwatch.StartNew();
        var gate = new object();
        var done = false;
        void Beat(object? _)
        {
            lock (gate)
            {
                if (done) return;
                var fraction = Volatile.Read(ref latest);
                var elapsed = Math.Round(watch.Elapsed.TotalSeconds, 1);
                Console.Error.WriteLine(Json
                    ? new JsonObject
                    {
                        ["step"] = title,
                        ["fraction"] = double.IsNaN(fraction) ? null : Math.Round(fraction, 4),
                        ["elapsed_seconds"] = elapsed,
                    }.ToJsonString(JsonOptions)
                    : double.IsNaN(fraction)
                        ? $"{title}: running for {elapsed:0.0} s"
                        : $"{title}: {fraction:P0} after {elapsed:0.0} s");
            }
        }
        using var timer = new Timer(Beat, null, ProgressInterval, ProgressInterval);
        try
        {
            return work(p => Volatile.Write(ref latest, Math.Clamp(p, 0, 1)));
        }
        finally
        {
            lock (gate)
                done = true;
        }
    }

    /// <summary>
    /// Runs a command body, turning the errors a user can cause into a clear message and a non-zero exit code:
    /// 2 for bad input or arguments, 1 for anything unexpected.
    /// </summary>
    public int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (ArgumentException ex) when (ex.ParamName is { } field && FlagNames.TryGetValue(field, out var flag))
        {
            return Fail($"{flag}: {FieldMessage(ex, field)}", 2);
        }
        catch (Exception ex) when (ex is DataFormatException or FormatException or ArgumentException or FileNotFoundException
                                       or DirectoryNotFoundException or InvalidDataException or Exania.Core.ModelFormatException or RefusedOutputException)
        {
            return Fail(ex is ArgumentException { ParamName: { } field } argument ? FieldMessage(argument, field) : ex.Message, 2);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail(ex.Message, 1);
        }
    }

    /// <summary>
    /// The exception's own sentence without .NET's "(Parameter 'X')" and "Actual value was Y." suffixes; the value is
    /// kept as "(was Y)" when the sentence does not already give it.
    /// </summary>
    private static string FieldMessage(ArgumentException ex, string field)
    {
        var text = ex.Message;
        var cut = text.IndexOf($" (Parameter '{field}')", StringComparison.Ordinal);
        if (cut >= 0) text = text[..cut];
        if (ex is ArgumentOutOfRangeException { ActualValue: { } value } && !text.Contains("(was ", StringComparison.Ordinal))
            text += string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (was {value})");
        return text;
    }

    public int Fail(string message, int exitCode)
    {
        if (Json)
            Console.Out.WriteLine(new JsonObject { ["error"] = message, ["exit_code"] = exitCode }.ToJsonString(JsonOptions));
        Console.Error.WriteLine($"error: {message}");
        return exitCode;
    }

    public static double Seconds(Stopwatch watch) => Math.Round(watch.Elapsed.TotalSeconds, 4);
}

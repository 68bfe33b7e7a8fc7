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
    };

    /// <summary>Progress bars only for a person at a terminal.</summary>
    public bool Interactive => !Json && !Console.IsOutputRedirected && !Console.IsErrorRedirected;

    /// <summary>A line for people (suppressed in JSON mode).</summary>
    public void Info(string markup)
    {
        if (!Json) AnsiConsole.MarkupLine(markup);
    }

    public void Table(Table table)
    {
        if (!Json) AnsiConsole.Write(table);
    }

    /// <summary>Prints the one JSON object of a <c>--json</c> run.</summary>
    public void Result(JsonObject result)
    {
        if (Json) Console.Out.WriteLine(result.ToJsonString(JsonOptions));
    }

    /// <summary>Runs <paramref name="work"/> with a progress bar titled <paramref name="title"/> when interactive.</summary>
    public T Step<T>(string title, Func<Action<double>, T> work)
    {
        if (!Interactive)
            return work(_ => { });
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
                                       or DirectoryNotFoundException or InvalidDataException or Exania.Core.ModelFormatException)
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

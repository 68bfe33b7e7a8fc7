using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Exania.Events;
using Exania.Testing;
using Spectre.Console;

namespace Exania.Cli.Tests;

/// <summary>
/// Issue #16's input conveniences end to end: <c>--delimiter</c>, <c>--time-offset</c> and <c>--default-action</c> on the
/// event-reading commands (a DIGINETICA-like file written here), <c>predict sequence --attention</c>, and the per-class
/// table left out past 50 classes.
/// </summary>
[Collection("console")]
public class InputConveniencesCliTests
{
    /// <summary>DIGINETICA's layout: no action column, the time is eventdate at 00:00 UTC plus timeframe milliseconds.</summary>
    private const string Diginetica =
        "session_id;user_id;item_id;timeframe;eventdate\n" +
        "1;NA;81766;526309;2016-05-09\n" +
        "1;NA;31331;1031018;2016-05-09\n" +
        "1;NA;32118;243569;2016-05-09\n" +
        "1;NA;9654;557220;2016-05-09\n" +
        "2;NA;33043;630240;2016-05-09\n" +
        "2;NA;\"12;3\";630250;2016-05-09\n" +
        "2;NA;100748;soon;2016-05-09\n" +
        "3;5;77;1044;2016-05-10\n" +
        "3;5;78;2044;2016-05-10\n";

    private static readonly string[] s_digineticaOptions =
        ["--delimiter", ";", "--map", "timestamp=eventdate", "--time-offset", "timeframe:ms", "--default-action", "view"];

    [Fact]
    public void Diginetica_ReadsWithDelimiterOffsetAndDefaultAction_BadOffsetRejectedInTheFilesOwnDelimiter()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("d.csv"), Diginetica);
        var run = CliRunner.Run(["windows", "--events", dir.File("d.csv"), .. s_digineticaOptions, "--on-bad-row", "skip",
            "--window", "600", "--step", "60", "--min-actions", "1", "--out", dir.File("w.csv"), "--json"]);
        Assert.True(run.Exit == 0, run.Out + run.Error);
        var input = run.Json!["input"]!;
        Assert.Equal((9, 8, 1), ((int)input["rows_read"]!, (int)input["accepted"]!, (int)input["rejected"]!));
        Assert.Equal(8, (int)input["default_action_rows"]!);
        Assert.Equal("view", (string)input["default_action"]!);
        Assert.Equal(8, (int)input["unknown_actions"]!["view"]!);
        Assert.Equal(
        [
            "file,line,reason,raw",
            "d.csv,8,time offset timeframe 'soon' is not a number,2;NA;100748;soon;2016-05-09",
        ], File.ReadAllLines(dir.File("w.rejects.csv")));

        // The times are the dates plus the offsets: session 1 spans 243.569 s .. 1031.018 s after 2016-05-09 00:00 UTC.
        var log = new EventLog();
        var options = new EventReaderOptions
        {
            Delimiter = ';',
            TimestampOffsetColumn = "timeframe",
            DefaultAction = "view",
            OnBadRow = Exania.Core.BadRowPolicy.Skip,
            ColumnMap = new Dictionary<EventField, string> { [EventField.Timestamp] = "eventdate" },
        };
        EventReader.Read(dir.File("d.csv"), log, options);
        var may9 = new DateTimeOffset(2016, 5, 9, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        Assert.Equal(may9 + 526.309, log[0].Timestamp);
        Assert.Equal("12;3", log[5].ItemId);
    }

    [Fact]
    public void WithoutDefaultAction_TheMissingActionColumnErrorNamesIt()
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("d.csv"), Diginetica);
        var run = CliRunner.Run("windows", "--events", dir.File("d.csv"), "--delimiter", "semicolon", "--map", "timestamp=eventdate",
            "--out", dir.File("w.csv"), "--json");
        Assert.Equal(2, run.Exit);
        var error = (string)run.Json!["error"]!;
        Assert.Contains("required column action is not in the file", error, StringComparison.Ordinal);
        Assert.Contains("--default-action", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tab")]
    [InlineData("\\t")]
    [InlineData("\t")]
    public void TabFile_GivesTheCommaFilesWindows(string delimiter)
    {
        using var dir = new TestData.TempDir();
        Assert.Equal(0, CliRunner.Run("generate", "--sessions", "40", "--seed", "3", "--out", dir.File("e.csv"), "--json").Exit);
        File.WriteAllText(dir.File("e.tsv"), File.ReadAllText(dir.File("e.csv")).Replace(',', '\t'));
        var comma = CliRunner.Run("windows", "--events", dir.File("e.csv"), "--out", dir.File("a.csv"), "--json");
        var tab = CliRunner.Run("windows", "--events", dir.File("e.tsv"), "--delimiter", delimiter, "--out", dir.File("b.csv"), "--json");
        Assert.True(tab.Exit == 0, tab.Out + tab.Error);
        Assert.Equal((int)comma.Json!["events"]!, (int)tab.Json!["events"]!);
        Assert.Equal(File.ReadAllText(dir.File("a.csv")), File.ReadAllText(dir.File("b.csv")));
    }

    [Theory]
    [InlineData("\"", "--delimiter '\"' cannot separate CSV fields")]
    [InlineData("\n", "--delimiter LF cannot separate CSV fields")]
    [InlineData("\r", "--delimiter CR cannot separate CSV fields")]
    [InlineData(";;", "--delimiter ';;' is not one character")]
    [InlineData("space bar", "--delimiter 'space bar' is not one character")]
    public void DelimitersThatCannotWork_ExitTwo_WithAClearMessage(string delimiter, string message)
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("d.csv"), Diginetica);
        var run = CliRunner.Run("sessions", "--events", dir.File("d.csv"), "--delimiter", delimiter, "--out", dir.File("s.csv"), "--json");
        Assert.Equal(2, run.Exit);
        Assert.StartsWith(message, (string)run.Json!["error"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("timeframe:min", "--time-offset 'timeframe:min': the unit after ':' is ms or s")]
    [InlineData(":ms", "--time-offset ':ms' names no column")]
    [InlineData("frame", "time offset column 'frame' is not in the file")]
    public void BadTimeOffsets_ExitTwo(string offset, string message)
    {
        using var dir = new TestData.TempDir();
        File.WriteAllText(dir.File("d.csv"), Diginetica);
        var run = CliRunner.Run("windows", "--events", dir.File("d.csv"), "--delimiter", ";", "--map", "timestamp=eventdate",
            "--default-action", "view", "--time-offset", offset, "--out", dir.File("w.csv"), "--json");
        Assert.Equal(2, run.Exit);
        Assert.Contains(message, (string)run.Json!["error"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryEventReadingCommand_HasTheNewOptions()
    {
        var root = ExaniaApp.CreateRoot();
        string[][] paths = [["windows"], ["sessions"], ["funnel"], ["paths"], ["retention"], ["ingest"], ["segment"], ["predict", "segment"],
            ["sequences"], ["train", "sequence"], ["predict", "sequence"]];
        foreach (var path in paths)
        {
            Command command = root;
            foreach (var name in path)
                command = command.Subcommands.Single(c => c.Name == name);
            foreach (var flag in new[] { "--delimiter", "--time-offset", "--default-action" })
                Assert.True(command.Options.Count(o => o.Name == flag) == 1, $"{string.Join(' ', path)} lacks {flag} (or has it twice)");
        }
    }

    [Fact]
    public void DefaultActionFallback_IsUsedWhenTheUserGivesNone()
    {
        var input = new EventInput();
        var command = new Command("x");
        input.AddTo(command);
        Assert.Null(input.ReaderOptions(command.Parse(["--events", "e.csv"])).DefaultAction);
        input.DefaultActionFallback = "event";
        Assert.Equal("event", input.ReaderOptions(command.Parse(["--events", "e.csv"])).DefaultAction);
        Assert.Equal("view", input.ReaderOptions(command.Parse(["--events", "e.csv", "--default-action", "view"])).DefaultAction);
        var options = input.ReaderOptions(command.Parse(["--events", "e.csv", "--time-offset", "tf:s", "--delimiter", "pipe"]));
        Assert.Equal(("tf", TimeOffsetUnit.Seconds, '|'), (options.TimestampOffsetColumn, options.TimestampOffsetUnit, options.Delimiter));
        Assert.Throws<ArgumentException>(() => input.ReaderOptions(command.Parse(["--events", "e.csv", "--default-action", " "])));
    }

    [Fact]
    public void PredictSequence_GivesAttentionOnlyWithTheFlag()
    {
        using var dir = new TestData.TempDir();
        Assert.Equal(0, CliRunner.Run("generate", "--sessions", "120", "--seed", "2", "--out", dir.File("e.csv"), "--json").Exit);
        var train = CliRunner.Run("train", "sequence", "--events", dir.File("e.csv"), "--out", dir.File("m"), "--epochs", "1", "--emb", "8",
            "--hidden", "8", "--max-len", "10", "--json");
        Assert.True(train.Exit == 0, train.Out + train.Error);
        File.WriteAllText(dir.File("p.csv"), "user_id,session_id,timestamp,action\nu1,p1,1700000100,click\nu1,p1,1700000101,hover\n");

        var plain = CliRunner.Run("predict", "sequence", "--model", dir.File("m"), "--events", dir.File("p.csv"), "--out", dir.File("p.json"), "--json");
        Assert.True(plain.Exit == 0, plain.Out + plain.Error);
        Assert.False((bool)plain.Json!["attention"]!);
        var prediction = plain.Json["predictions"]!.AsArray().Single()!.AsObject();
        Assert.False(prediction.ContainsKey("attention"));
        Assert.NotEmpty(prediction["top"]!.AsArray());
        Assert.DoesNotContain("\"weight\"", File.ReadAllText(dir.File("p.json")), StringComparison.Ordinal);

        var withAttention = CliRunner.Run("predict", "sequence", "--model", dir.File("m"), "--events", dir.File("p.csv"), "--attention", "--json");
        Assert.True((bool)withAttention.Json!["attention"]!);
        var attention = withAttention.Json["predictions"]!.AsArray().Single()!["attention"]!.AsArray();
        Assert.Equal(["click", "hover"], attention.Select(a => (string)a!["action"]!));
        Assert.Equal(1.0, attention.Sum(a => (double)a!["weight"]!), 4);
    }

    [Fact]
    public void TrainSequence_Past50Classes_SaysWhereThePerClassFiguresAre_InsteadOfTheTable()
    {
        using var dir = new TestData.TempDir();
        var text = new StringBuilder("user_id,session_id,timestamp,action\n");
        for (var s = 0; s < 60; s++)
            for (var e = 0; e < 12; e++)
                text.Append(CultureInfo.InvariantCulture, $"u{s},s{s},{1_700_000_000 + s * 1000 + e},a{(s + e * 7) % 60}\n");
        File.WriteAllText(dir.File("e.csv"), text.ToString());
        var human = Human(() => CliRunner.Run("train", "sequence", "--events", dir.File("e.csv"), "--out", dir.File("m"), "--epochs", "1",
            "--emb", "8", "--hidden", "8", "--max-len", "10"));
        Assert.True(human.Run.Exit == 0, human.Run.Error);
        // The results file still has every class (the 60 actions and <oov>), and the one line says where.
        var results = JsonNode.Parse(File.ReadAllText(dir.File("m/sequence_results.json")))!;
        var classes = results["test"]!["classes"]!.AsArray().Count;
        Assert.Equal(61, classes);
        Assert.Contains($"per-class table omitted: {classes} classes (more than 50); the per-class figures are in sequence_results.json",
            human.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("per class (model)", human.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainSequence_UpTo50Classes_ShowsThePerClassTable()
    {
        using var dir = new TestData.TempDir();
        Assert.Equal(0, CliRunner.Run("generate", "--sessions", "80", "--seed", "2", "--out", dir.File("e.csv"), "--json").Exit);
        var human = Human(() => CliRunner.Run("train", "sequence", "--events", dir.File("e.csv"), "--out", dir.File("m"), "--epochs", "1",
            "--emb", "8", "--hidden", "8", "--max-len", "10"));
        Assert.True(human.Run.Exit == 0, human.Run.Error);
        Assert.Contains("per class (model)", human.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("omitted", human.Text, StringComparison.Ordinal);
    }

    /// <summary>Runs a human-output command with Spectre's console writing to a buffer (wide, so no line is wrapped).</summary>
    private static (CliResult Run, string Text) Human(Func<CliResult> run)
    {
        var previous = AnsiConsole.Console;
        var buffer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(buffer),
        });
        console.Profile.Width = 400;
        AnsiConsole.Console = console;
        try
        {
            var result = run();
            return (result, buffer.ToString() + result.Out);
        }
        finally
        {
            AnsiConsole.Console = previous;
        }
    }
}

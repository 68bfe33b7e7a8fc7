using System.CommandLine;
using System.Runtime.InteropServices;

namespace Exania.Cli;

/// <summary>The <c>exania</c> command line: one root command per process, also callable in-process by tests.</summary>
public static class ExaniaApp
{
    public static RootCommand CreateRoot() => new("exania: predict what users do next from their event data.")
    {
        GenerateCommand.Create(),
        WindowsCommand.Create(),
        SessionsCommand.Create(),
        FunnelCommand.Create(),
        RetentionCommand.Create(),
        PathsCommand.Create(),
        IngestCommand.Create(),
        SegmentCommand.Create(),
        SequenceCommands.CreateSequences(),
        TrainCommand.Create(),
        PredictCommand.Create(),
        EvaluateCommand(),
        PipelineCommand.Create(),
        ExportCommand.Create(),
        ServeWebCommand.Create(),
        ServeCommand.Create(),
        BenchCommand.Create(),
        ReportCommand.Create(),
    };

    /// <summary><c>exania evaluate</c>: models and baselines scored under one protocol, without training.</summary>
    private static Command EvaluateCommand()
    {
        var evaluate = new Command("evaluate", "Score saved models and the standard baselines on held-out data.");
        evaluate.Subcommands.Add(SequenceCommands.CreateEvaluate());
        return evaluate;
    }

    /// <summary>How long a command may take to stop after SIGINT/SIGTERM before the process ends anyway.</summary>
    private static readonly TimeSpan s_gracePeriod = TimeSpan.FromSeconds(3);

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code.</summary>
    public static int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    /// <summary>
    /// Parses and runs <paramref name="args"/>. The contract every command keeps: exit 0 on success, 2 for bad input or
    /// arguments (with <c>--json</c>, stdout then holds exactly one <c>{"error": ..., "exit_code": 2}</c> object), 1 for
    /// anything unexpected, with a message and no stack trace (<c>EXANIA_DEBUG=1</c> shows it). SIGINT and SIGTERM
    /// cancel the token long-running commands watch (<c>serve-web</c>), so they stop cleanly.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var parse = CreateRoot().Parse(args);
        var json = args.Contains("--json", StringComparer.Ordinal);
        if (parse.Errors.Count > 0)
        {
            var message = string.Join("; ", parse.Errors.Select(e => e.Message)) + " (see exania --help, or exania <command> --help)";
            return new CliOutput(json).Fail(message, 2);
        }
        // SIGINT and SIGTERM cancel the token instead of killing the process at once, so a server closes its socket.
        // A command that does not watch the token (training, say) is ended after a grace period, exit 130; its
        // atomic writes leave either the old file or the new one. A second signal is not caught and ends it at once.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        PosixSignalRegistration? interrupt = null, terminate = null;
        void OnSignal(PosixSignalContext context)
        {
            if (stop.IsCancellationRequested) return;
            context.Cancel = true;
            Console.Error.WriteLine($"{context.Signal}: stopping");
            stop.Cancel();
            _ = Task.Delay(s_gracePeriod, CancellationToken.None).ContinueWith(_ => Environment.Exit(130), TaskScheduler.Default);
        }
        try
        {
            interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            return await parse.InvokeAsync(configuration, stop.Token);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("stopped: interrupted");
            return 130;
        }
        catch (Exception ex) when (ex is OutOfMemoryException || (ex is AggregateException all && all.Flatten().InnerExceptions.Any(e => e is OutOfMemoryException)))
        {
            // Sizes are checked against the memory before the large allocations; this is what slips past those checks.
            return new CliOutput(json).Fail("out of memory: the data or the model does not fit in this machine's memory; " +
                                            "read fewer events, or lower the window (--max-len) or the model's sizes", 1);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var debug = Environment.GetEnvironmentVariable("EXANIA_DEBUG") == "1";
            var message = $"unexpected {ex.GetType().Name}: {ex.Message}" + (debug ? "" : " (EXANIA_DEBUG=1 shows the stack trace)");
            if (debug) Console.Error.WriteLine(ex);
            return new CliOutput(json).Fail(message, 1);
        }
        finally
        {
            interrupt?.Dispose();
            terminate?.Dispose();
        }
    }
}

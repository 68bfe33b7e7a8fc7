using System.CommandLine;

namespace Exania.Cli;

/// <summary>The <c>exania</c> command line: one root command per process, also callable in-process by tests.</summary>
public static class ExaniaApp
{
    public static RootCommand CreateRoot() => new("exania: predict what users do next from their event data.")
    {
        GenerateCommand.Create(),
        WindowsCommand.Create(),
        SequenceCommands.CreateSequences(),
        TrainCommand.Create(),
        PredictCommand.Create(),
        PipelineCommand.Create(),
        ExportCommand.Create(),
        ServeWebCommand.Create(),
        BenchCommand.Create(),
    };

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code.</summary>
    public static int Run(string[] args) => CreateRoot().Parse(args).Invoke();
}

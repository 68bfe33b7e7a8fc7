using System.CommandLine;
using Exania.Cli;

var root = new RootCommand("exania: predict what users do next from their event data.")
{
    GenerateCommand.Create(),
    WindowsCommand.Create(),
    TrainCommand.Create(),
    PredictCommand.Create(),
    PipelineCommand.Create(),
    BenchCommand.Create(),
};
return root.Parse(args).Invoke();

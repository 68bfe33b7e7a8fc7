using System.CommandLine;
using Exania.Cli;

var root = new RootCommand("exania: predict what users do next from their event data.")
{
    GenerateCommand.Create(),
    WindowsCommand.Create(),
};
return root.Parse(args).Invoke();

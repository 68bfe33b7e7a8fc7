return Exania.Cli.ExaniaApp.Run(args);

return await Exania.Cli.ExaniaApp.RunAsync(args);

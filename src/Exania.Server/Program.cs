// `Exania.Server`: the dashboard service on its own (the CLI's `exania serve` runs the same host).
return Exania.Server.DashboardHost.Run(args);

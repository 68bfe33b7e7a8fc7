// `exania-server`: the dashboard service on its own (the CLI's `exania serve` runs the same host).
return Exania.Server.DashboardHost.Run(args);

/// <summary>The entry point, public so the tests' WebApplicationFactory can start the host.</summary>
public partial class Program;

using System.CommandLine;
using Spectre.Console;

namespace Exania.Cli;

/// <summary><c>exania serve-web</c>: serve an exported web folder (demo page, model, onnxruntime-web) on 127.0.0.1.</summary>
internal static class ServeWebCommand
{
    public static Command Create()
    {
        var folder = new Option<string>("--dir") { Description = "Folder written by `exania export web`.", DefaultValueFactory = _ => "web" };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 picks a free one).", DefaultValueFactory = _ => 8080 };
        var command = new Command("serve-web", "Serve an exported web folder on 127.0.0.1 until Ctrl+C.") { folder, port };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var cli = new CliOutput(json: false);
            try
            {
                await using var server = await StaticWebServer.StartAsync(parse.GetValue(folder)!, parse.GetValue(port), cancellationToken);
                cli.Info($"serving [bold]{Markup.Escape(Path.GetFullPath(parse.GetValue(folder)!))}[/] at [link]{server.Address}demo.html[/] (Ctrl+C stops)");
                await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
                return 0;
            }
            catch (Exception ex) when (ex is DirectoryNotFoundException or IOException)
            {
                return cli.Fail(ex.Message, 2);
            }
            catch (ArgumentOutOfRangeException ex)
            {
                return cli.Fail(ex.Message.Split(" (Parameter", 2)[0], 2);
            }
        });
        return command;
    }
}

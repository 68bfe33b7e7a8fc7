using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Exania.Click;
using Exania.Core;
using Spectre.Console;

namespace Exania.Cli;

/// <summary><c>exania export</c>: <c>onnx</c> (the model graph) and <c>web</c> (the in-browser deployment).</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var export = new Command("export", "Export a trained model.");
        export.Subcommands.Add(ExportOnnxCommand.Create());
        export.Subcommands.Add(CreateWeb());
        return export;
    }

    private static Command CreateWeb()
    {
        var model = new Option<string>("--model") { Description = "Model folder (with click_model.json) or file.", Required = true };
        var output = new Option<string>("--out") { Description = "Folder to write.", Required = true };
        var ort = new Option<string?>("--ort-dir") { Description = "onnxruntime-web's dist folder (default: js/node_modules/onnxruntime-web/dist found above the current folder)." };
        var json = CommonOptions.Json();
        var command = new Command("web", "Write interaction_predictor.onnx, interaction_predictor.js, demo.html and the onnxruntime-web files.")
        {
            model, output, ort, json,
        };
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var watch = Stopwatch.StartNew();
                var clickModel = ClickModel.Load(ModelFile.Resolve(parse.GetValue(model)!, ModelKind.Click));
                var folder = parse.GetValue(output)!;
                var files = WebExport.Write(clickModel, folder, parse.GetValue(ort));
                var table = new Table().AddColumns("file", "bytes");
                foreach (var (name, bytes) in files)
                    table.AddRow(name, $"{bytes:N0}");
                cli.Table(table);
                cli.Info($"serve it with [bold]exania serve-web --dir {Markup.Escape(folder)}[/] and open /demo.html");
                var list = new JsonArray();
                foreach (var (name, bytes) in files)
                    list.Add(new JsonObject { ["name"] = name, ["bytes"] = bytes });
                cli.Result(new JsonObject
                {
                    ["command"] = "export web",
                    ["out"] = folder,
                    ["files"] = list,
                    ["onnx_bytes"] = files[0].Bytes,
                    ["seconds"] = CliOutput.Seconds(watch),
                });
                return 0;
            });
        });
        return command;
    }
}

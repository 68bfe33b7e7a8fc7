using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Exania.Click;
using Exania.Core;
using Exania.Features;
using Spectre.Console;

namespace Exania.Cli;

/// <summary><c>exania predict click</c>: score a features file with a saved click model.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var predict = new Command("predict", "Score data with a saved model.");
        predict.Subcommands.Add(CreateClick());
        predict.Subcommands.Add(RoasCommands.CreatePredict());
        predict.Subcommands.Add(SequenceCommands.CreatePredict());
        predict.Subcommands.Add(ConversionCommands.CreatePredict());
        predict.Subcommands.Add(SegmentCommand.CreatePredict());
        return predict;
    }

    private static Command CreateClick()
    {
        var model = new Option<string>("--model") { Description = "Model folder (with click_model.json) or file.", Required = true };
        var features = new Option<string>("--features") { Description = "Windows file (CSV, or Parquet for .parquet) with the 20 feature columns (label optional).", Required = true };
        var output = new Option<string>("--out") { Description = "Predictions file to write: CSV, or Parquet for a .parquet path.", Required = true };
        var outFormat = CommonOptions.OutFormat();
        var json = CommonOptions.Json();
        var command = new Command("click", "Write click_probability (and predicted_click at the model's threshold) for every window.")
        {
            model, features, output, outFormat, json,
        };
        command.SetAction(parse =>
        {
            var cli = new CliOutput(parse.GetValue(json));
            return cli.Run(() =>
            {
                var watch = Stopwatch.StartNew();
                var modelPath = ModelFile.Resolve(parse.GetValue(model)!, ModelKind.Click);
                CommonOptions.RefuseOverwritingInput(parse.GetValue(output), "--out", (parse.GetValue(features), "--features"), (modelPath, "--model"));
                var clickModel = ClickModel.Load(modelPath);
                ClickData.RequireWindowFeatures(clickModel);
                var outPath = parse.GetValue(output)!;
                var format = WindowFile.Resolve(CommonOptions.ParseOutFormat(parse.GetValue(outFormat)), outPath);
                var table = WindowFile.Read(parse.GetValue(features)!, requireLabel: false);
                var probabilities = ClickData.Predict(clickModel, table);
                WindowPredictions.Write(outPath, table, probabilities, clickModel.Threshold, format);
                var predicted = 0;
                foreach (var p in probabilities)
                    if (p >= clickModel.Threshold) predicted++;
                var result = new JsonObject
                {
                    ["command"] = "predict click",
                    ["rows"] = table.Rows,
                    ["threshold"] = clickModel.Threshold,
                    ["predicted_positive"] = predicted,
                    ["mean_probability"] = table.Rows == 0 ? 0 : Math.Round(probabilities.Average(), 6),
                    ["seconds"] = CliOutput.Seconds(watch),
                    ["out"] = outPath,
                };
                if (table.Positives is > 0 and var pos && pos < table.Rows)
                    result["auc"] = Math.Round(Metrics.RocAuc(probabilities, table.Labels), 6);
                cli.Info($"scored {table.Rows:N0} windows; {predicted:N0} at or above the threshold {clickModel.Threshold:0.###} → {Markup.Escape(outPath)}");
                cli.Result(result);
                return 0;
            });
        });
        return command;
    }
}

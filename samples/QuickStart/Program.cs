using Exania.Campaigns;
using Exania.Click;
using Exania.Core;
using Exania.Events;
using Exania.Features;
using Exania.Roas;
using Exania.Sequence;
using Exania.Synthetic;
using Exania.Trees;

var folder = args.Length > 0 ? args[0] : "quickstart";

// Events: a generated clickstream written as CSV and read back, as your own export would be.
var eventsPath = Path.Combine(folder, "events.csv");
EventCsvWriter.Write(new InteractionGenerator(new GeneratorOptions { Seed = 1 }).Generate(sessions: 400), eventsPath);
var log = new EventLog();
var read = EventReader.Load(eventsPath, log);

// Click model: the 20 features of every 2-minute window, 5-fold cross-validated logistic regression.
var windows = WindowExtractor.Extract(log, SessionIndex.Build(log));
var click = ClickData.Train(windows, ClickTrainingOptions.Default);
var clickPath = Path.Combine(folder, ModelFile.FileNameOf(ModelKind.Click));
click.Model.Save(clickPath);
var probabilities = ClickData.Predict(ClickModel.Load(clickPath), windows);
ClickModelOnnxExporter.Save(click.Model, Path.Combine(folder, "click.onnx"));
Console.WriteLine($"click: {read.Accepted} events, {windows.Rows} windows, CV ROC AUC {click.Report.AucMean:0.000}, " +
    $"mean probability {probabilities.Average():0.000}");

// ROAS model: gradient-boosted trees on a campaign table, with a ridge baseline on the same held-out rows.
var campaigns = CampaignGenerator.Generate(new CampaignGeneratorOptions { Rows = 3000, Seed = 1 });
var roas = RoasTrainer.Train(campaigns, RoasOptions.Default with { Exclude = ["conversions", "conversion_rate", "campaign_id"] });
var roasPath = Path.Combine(folder, ModelFile.FileNameOf(ModelKind.Roas));
roas.Model.Save(roasPath);
var predictedRoas = RoasTrainer.Predict(GbtModel.Load(roasPath), campaigns);
GbtOnnxExporter.Save(roas.Model, Path.Combine(folder, "roas.onnx"));
Console.WriteLine($"roas: held-out R² {roas.Report.R2:0.000} (ridge {roas.Report.LinearR2:0.000}), first prediction {predictedRoas[0]:0.00}");

// Sequence model: embedding → LSTM → attention → softmax over the next action, against the Markov chain.
var sequences = SequencePreprocessor.Build(log, SequenceOptions.Defaults);
var sequence = SequenceTrainer.Train(sequences, SequenceTrainingOptions.Defaults with { Epochs = 2 });
var sequencePath = Path.Combine(folder, ModelFile.FileNameOf(ModelKind.Sequence));
sequence.Model.Save(sequencePath);
var evaluation = SequenceEvaluator.Evaluate(SequenceModel.Load(sequencePath), sequences.Test,
    NextActionBaselines.Fit(sequences.Train, sequences.Vocabulary.Count));
SequenceOnnxExporter.Save(sequence.Model, Path.Combine(folder, "sequence.onnx"));
Console.WriteLine($"sequence: test accuracy {evaluation.Model.Accuracy:0.000} (Markov {evaluation.Markov.Accuracy:0.000})");

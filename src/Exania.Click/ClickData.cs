using Exania.Core;
using Exania.Features;
using Exania.Learning;

namespace Exania.Click;

/// <summary>A trained click model with its cross-validation report.</summary>
public sealed record ClickTrainingResult(ClickModel Model, ClickTrainingReport Report);

/// <summary>
/// The bridge from windows to the click model: the 20 window features and labels as a training matrix, the one-call
/// training run (cross-validation, then the final fit with the threshold it found), and scoring a windows table.
/// </summary>
public static class ClickData
{
    /// <summary>The windows' 20 features and labels as a <see cref="LabeledMatrix"/> (copies).</summary>
    /// <exception cref="ArgumentException">The table has no rows.</exception>
    public static LabeledMatrix FromWindows(WindowTable windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (windows.Rows == 0)
            throw new ArgumentException("The windows table has no rows to train on.", nameof(windows));
        return new LabeledMatrix(windows.Features.ToArray(), windows.Rows, WindowFeatures.Count, WindowFeatures.Names, windows.Labels.ToArray());
    }

    /// <summary>
    /// Cross-validates on the windows, then fits the final model on all of them. Progress goes from 0 to 1 over the
    /// folds and the final fit.
    /// </summary>
    /// <exception cref="ArgumentException">No rows, or an option out of range (the message names the field).</exception>
    public static ClickTrainingResult Train(WindowTable windows, ClickTrainingOptions? options = null, IProgress<double>? progress = null)
    {
        options ??= ClickTrainingOptions.Default;
        options.Validate();
        var data = FromWindows(windows);
        var steps = options.Folds + 1.0;
        var reporter = progress is null ? null
            : new SynchronousProgress<ClickTrainingProgress>(p => progress.Report((p.Step + (p.Stage == "final" ? options.Folds : 0)) / steps));
        var report = ClickModelTrainer.CrossValidate(data, options, reporter);
        var model = ClickModelTrainer.Train(data, options, report, reporter);
        return new ClickTrainingResult(model, report);
    }

    /// <summary>Checks that <paramref name="model"/> scores the 20 window features, in order.</summary>
    /// <exception cref="ArgumentException">It was trained on other features.</exception>
    public static void RequireWindowFeatures(ClickModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!model.FeatureNames.SequenceEqual(WindowFeatures.Names))
            throw new ArgumentException($"The model was trained on features ({string.Join(", ", model.FeatureNames)}) that are not the 20 window features.");
    }

    /// <summary>Click probability of every window of <paramref name="windows"/>.</summary>
    /// <exception cref="ArgumentException">The model does not score the window features.</exception>
    public static double[] Predict(ClickModel model, WindowTable windows)
    {
        RequireWindowFeatures(model);
        ArgumentNullException.ThrowIfNull(windows);
        var probabilities = new double[windows.Rows];
        model.PredictProbabilities(windows.Features, probabilities);
        return probabilities;
    }
}

namespace Exania.Core;

/// <summary>Precision, recall, F1 and support of one class.</summary>
public sealed record ClassScores(string Name, double Precision, double Recall, double F1, int Support);

/// <summary>
/// Multi-class scores of predicted labels against the truth, as scikit-learn's <c>precision_recall_fscore_support</c>
/// with <c>zero_division=0</c> and its default labels: macro averages run over the classes present in the truth or the
/// predictions (so the <c>&lt;oov&gt;</c> class of a vocabulary without rare actions does not dilute them), weighted
/// averages weigh each class by its support. <see cref="Classes"/> lists every class of the vocabulary.
/// </summary>
public sealed class ClassificationReport
{
    /// <summary>Largest class count that gets a confusion matrix (its size is the square of the class count).</summary>
    public const int ConfusionLimit = 100;

    private ClassificationReport(int samples, double accuracy, ClassScores[] classes, int[,]? confusion, bool[] present)
    {
        Samples = samples;
        Accuracy = accuracy;
        Classes = classes;
        Confusion = confusion;
        var used = classes.Where((_, k) => present[k]).ToArray();
        MacroPrecision = used.Length == 0 ? 0 : used.Average(c => c.Precision);
        MacroRecall = used.Length == 0 ? 0 : used.Average(c => c.Recall);
        MacroF1 = used.Length == 0 ? 0 : used.Average(c => c.F1);
        double w = Math.Max(samples, 1);
        WeightedPrecision = classes.Sum(c => c.Precision * c.Support) / w;
        WeightedRecall = classes.Sum(c => c.Recall * c.Support) / w;
        WeightedF1 = classes.Sum(c => c.F1 * c.Support) / w;
    }

    public int Samples { get; }
    public double Accuracy { get; }
    public IReadOnlyList<ClassScores> Classes { get; }

    /// <summary>Counts [true class, predicted class]; null above <see cref="ConfusionLimit"/> classes.</summary>
    public int[,]? Confusion { get; }

    public double MacroPrecision { get; }
    public double MacroRecall { get; }
    public double MacroF1 { get; }
    public double WeightedPrecision { get; }
    public double WeightedRecall { get; }
    public double WeightedF1 { get; }

    public static ClassificationReport From(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        if (truth.Length != predicted.Length)
            throw new ArgumentException("Truth and predictions differ in length.");
        var k = classNames.Count;
        var confusion = k <= ConfusionLimit ? new int[k, k] : null;
        var truePositives = new int[k];
        var support = new int[k];
        var predictedCount = new int[k];
        var correct = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            support[truth[i]]++;
            predictedCount[predicted[i]]++;
            if (confusion is not null) confusion[truth[i], predicted[i]]++;
            if (truth[i] != predicted[i]) continue;
            truePositives[truth[i]]++;
            correct++;
        }
        var classes = new ClassScores[k];
        var present = new bool[k];
        for (var c = 0; c < k; c++)
        {
            var precision = predictedCount[c] == 0 ? 0 : truePositives[c] / (double)predictedCount[c];
            var recall = support[c] == 0 ? 0 : truePositives[c] / (double)support[c];
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            classes[c] = new ClassScores(classNames[c], precision, recall, f1, support[c]);
            present[c] = support[c] > 0 || predictedCount[c] > 0;
        }
        return new ClassificationReport(truth.Length, truth.Length == 0 ? 0 : correct / (double)truth.Length, classes, confusion, present);
    }
}

using Exania.Features;
using Exania.Learning;

namespace Exania.Cli;

/// <summary>Where click-model files live and how windows become a training matrix.</summary>
internal static class ClickData
{
    public const string ModelFileName = "click_model.json";
    public const string ResultsFileName = "training_results.json";

    /// <summary>The windows' 20 features and labels as a <see cref="LabeledMatrix"/> (copies).</summary>
    public static LabeledMatrix ToMatrix(WindowTable table) =>
        new(table.Features.ToArray(), table.Rows, WindowFeatures.Count, WindowFeatures.Names, table.Labels.ToArray());

    /// <summary><c>--model</c> may name the model file or the folder holding <see cref="ModelFileName"/>.</summary>
    public static string ModelPath(string modelOption) =>
        Directory.Exists(modelOption) || modelOption.EndsWith('/') || modelOption.EndsWith(Path.DirectorySeparatorChar)
            ? Path.Combine(modelOption, ModelFileName)
            : modelOption;
}

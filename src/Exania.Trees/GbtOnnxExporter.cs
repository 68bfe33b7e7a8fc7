using System.Globalization;
using System.Text.Json;
using Exania.Onnx;

namespace Exania.Trees;

/// <summary>
/// Exports a <see cref="GbtModel"/> as one <c>ai.onnx.ml</c> <c>TreeEnsembleRegressor</c> (ml opset 3) that scores a
/// batch the way <see cref="GbtModel.Predict(ReadOnlySpan{double})"/> does.
/// </summary>
/// <remarks>
/// <para><b>Graph</b>: <c>features float[N, F] → TreeEnsembleRegressor (post_transform NONE) → score float[N, 1]</c>
/// for squared error; for logistic the margin goes through a default-domain <c>Sigmoid</c> to
/// <c>probability float[N, 1]</c> (onnxruntime-node's regressor did not apply <c>post_transform LOGISTIC</c> in our
/// parity test, so the graph does not rely on it). Every internal node is <c>BRANCH_LT</c> on its threshold, true = left, with
/// <c>nodes_missing_value_tracks_true</c> = default-left; <c>base_values</c> = [BaseScore]; node ids are the model's.</para>
/// <para><b>Precision</b>: thresholds are float32 values already and <see cref="GbtTree"/> compares <c>(float)x</c>,
/// so a float32 row takes the same path here and in onnxruntime. Leaf weights and the base score are rounded to
/// float32 and onnxruntime sums them in float32, so scores differ from the double model by float32 rounding of the
/// sum (about 1e-7 of the score's magnitude times the tree count at worst).</para>
/// <para><b>Metadata</b>: <c>model_format</c>, <c>model_format_version</c>, <c>objective</c>, <c>feature_names</c>
/// (JSON array), <c>base_score</c> (round-trip decimal), <c>trees</c>.</para>
/// </remarks>
public static class GbtOnnxExporter
{
    /// <summary>The <c>ai.onnx.ml</c> operator set the graph uses.</summary>
    public const long MlOpset = 3;

    /// <summary>The default-domain operator set imported alongside.</summary>
    public const long Opset = 17;

    public const string InputName = "features";
    public const string ScoreName = "score";
    public const string ProbabilityName = "probability";
    public const string BatchDimension = "N";

    /// <summary>The output's name for <paramref name="objective"/>.</summary>
    public static string OutputName(GbtObjective objective) => objective == GbtObjective.Logistic ? ProbabilityName : ScoreName;

    /// <summary>Builds the ONNX model.</summary>
    public static OnnxModelBuilder Build(GbtModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var treeIds = new List<long>();
        var nodeIds = new List<long>();
        var featureIds = new List<long>();
        var modes = new List<string>();
        var values = new List<float>();
        var trueIds = new List<long>();
        var falseIds = new List<long>();
        var missingTrue = new List<long>();
        var targetTree = new List<long>();
        var targetNode = new List<long>();
        var targetIds = new List<long>();
        var weights = new List<float>();
        for (var t = 0; t < model.Trees.Count; t++)
        {
            var tree = model.Trees[t];
            for (var i = 0; i < tree.NodeCount; i++)
            {
                treeIds.Add(t);
                nodeIds.Add(i);
                if (tree.IsLeaf(i))
                {
                    featureIds.Add(0);
                    modes.Add("LEAF");
                    values.Add(0);
                    trueIds.Add(0);
                    falseIds.Add(0);
                    missingTrue.Add(0);
                    targetTree.Add(t);
                    targetNode.Add(i);
                    targetIds.Add(0);
                    weights.Add((float)tree.Value[i]);
                }
                else
                {
                    featureIds.Add(tree.Feature[i]);
                    modes.Add("BRANCH_LT");
                    values.Add((float)tree.Threshold[i]);
                    trueIds.Add(tree.Left[i]);
                    falseIds.Add(tree.Right[i]);
                    missingTrue.Add(tree.DefaultLeft[i] ? 1 : 0);
                }
            }
        }

        var builder = new OnnxModelBuilder("exania_gbt_model")
        {
            DocString = "Exania gradient-boosted trees (XGBoost formulation) as one ai.onnx.ml TreeEnsembleRegressor.",
            ModelDomain = "ai.exania",
            ModelVersion = GbtModel.FormatVersion,
        };
        builder.ImportOpset(OnnxModelBuilder.DefaultDomain, Opset);
        builder.ImportOpset(OnnxModelBuilder.MlDomain, MlOpset);
        var g = builder.Graph;
        var output = OutputName(model.Objective);
        g.AddInput(InputName, OnnxElementType.Float, BatchDimension, model.FeatureNames.Count);
        var logistic = model.Objective == GbtObjective.Logistic;
        var margin = logistic ? "margin" : output;
        g.AddNode("TreeEnsembleRegressor", [InputName], [margin], domain: OnnxModelBuilder.MlDomain)
            .Attribute("n_targets", 1)
            .Attribute("aggregate_function", "SUM")
            .Attribute("post_transform", "NONE")
            .Attribute("base_values", [(float)model.BaseScore])
            .Attribute("nodes_treeids", [.. treeIds])
            .Attribute("nodes_nodeids", [.. nodeIds])
            .Attribute("nodes_featureids", [.. featureIds])
            .Attribute("nodes_modes", modes)
            .Attribute("nodes_values", [.. values])
            .Attribute("nodes_truenodeids", [.. trueIds])
            .Attribute("nodes_falsenodeids", [.. falseIds])
            .Attribute("nodes_missing_value_tracks_true", [.. missingTrue])
            .Attribute("target_treeids", [.. targetTree])
            .Attribute("target_nodeids", [.. targetNode])
            .Attribute("target_ids", [.. targetIds])
            .Attribute("target_weights", [.. weights]);
        if (logistic)
            g.AddNode("Sigmoid", output, margin);
        g.AddOutput(output, OnnxElementType.Float, BatchDimension, 1);

        builder.AddMetadata("model_format", GbtModel.Format);
        builder.AddMetadata("model_format_version", GbtModel.FormatVersion.ToString(CultureInfo.InvariantCulture));
        builder.AddMetadata("objective", model.Objective == GbtObjective.Logistic ? "logistic" : "squared_error");
        builder.AddMetadata("feature_names", JsonSerializer.Serialize(model.FeatureNames));
        builder.AddMetadata("base_score", model.BaseScore.ToString("R", CultureInfo.InvariantCulture));
        builder.AddMetadata("trees", model.Trees.Count.ToString(CultureInfo.InvariantCulture));
        return builder;
    }

    /// <summary>Exports <paramref name="model"/> to <paramref name="path"/> atomically; returns the builder and the file size.</summary>
    public static (OnnxModelBuilder Model, long Bytes) Save(GbtModel model, string path)
    {
        var builder = Build(model);
        return (builder, builder.Save(path));
    }
}

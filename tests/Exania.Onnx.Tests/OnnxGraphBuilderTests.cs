using Exania.Testing;

namespace Exania.Onnx.Tests;

/// <summary>The general writer: its checks, and a model in another operator domain (ai.onnx.ml) run end to end.</summary>
[Collection("onnx")]
public sealed class OnnxGraphBuilderTests(ITestOutputHelper output)
{
    [Fact]
    public void AddNode_UndefinedInput_ThrowsNamingIt()
    {
        var g = new OnnxGraphBuilder("g");
        g.AddInput("x", OnnxElementType.Float, "N");

        var e = Assert.Throws<ArgumentException>(() => g.AddNode("Add", "y", "x", "missing"));
        Assert.Contains("'missing'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddNode_EmptyInputName_IsAnOmittedOptionalInput()
    {
        var g = new OnnxGraphBuilder("g");
        g.AddInput("x", OnnxElementType.Float, "N");
        var node = g.AddNode("Clip", "y", "x", "", "");
        Assert.Equal(["x", "", ""], node.Inputs);
    }

    [Fact]
    public void AddNode_OutputAlreadyDefined_Throws()
    {
        var g = new OnnxGraphBuilder("g");
        g.AddInput("x", OnnxElementType.Float, "N");
        g.AddInitializer(OnnxTensor.Float("c", [1f], 1));

        Assert.Throws<ArgumentException>(() => g.AddNode("Neg", "c", "x"));
        Assert.Throws<ArgumentException>(() => g.AddNode("Neg", "x", "x"));
    }

    [Fact]
    public void AddNode_WithoutName_NumbersNodesPerOpType()
    {
        var g = new OnnxGraphBuilder("g");
        g.AddInput("x", OnnxElementType.Float, "N");
        g.AddNode("Neg", "a", "x");
        g.AddNode("Abs", "b", "a");
        g.AddNode("Neg", "c", "b");
        Assert.Equal(["Neg_0", "Abs_0", "Neg_1"], g.Nodes.Select(n => n.Name));
    }

    [Fact]
    public void Attribute_Duplicate_Throws()
    {
        var g = new OnnxGraphBuilder("g");
        g.AddInput("x", OnnxElementType.Float, "N");
        var node = g.AddNode("Gather", "y", "x", "x").Attribute("axis", 1);
        Assert.Throws<ArgumentException>(() => node.Attribute("axis", 0));
    }

    [Fact]
    public void OnnxTensor_ShapeDisagreesWithData_Throws()
    {
        Assert.Throws<ArgumentException>(() => OnnxTensor.Float("t", [1f, 2f, 3f], 2, 2));
        Assert.Throws<ArgumentException>(() => OnnxTensor.Int64("t", [1L], 2));
        Assert.Equal([2L, 2L], OnnxTensor.Double("t", [1, 2, 3, 4], 2, 2).Dims);
    }

    [Fact]
    public void ToBytes_OutputNeverProduced_Throws()
    {
        var model = new OnnxModelBuilder("g").ImportOpset("", 17);
        model.Graph.AddInput("x", OnnxElementType.Float, "N");
        model.Graph.AddNode("Neg", "y", "x");
        model.Graph.AddOutput("z", OnnxElementType.Float, "N");

        var e = Assert.Throws<InvalidOperationException>(() => model.ToBytes());
        Assert.Contains("'z'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToBytes_NodeDomainNotImported_Throws()
    {
        var model = new OnnxModelBuilder("g").ImportOpset("", 17);
        model.Graph.AddInput("x", OnnxElementType.Float, "N", 2);
        model.Graph.AddNode("TreeEnsembleRegressor", ["x"], ["y"], domain: OnnxModelBuilder.MlDomain);
        model.Graph.AddOutput("y", OnnxElementType.Float, "N", 1);

        var e = Assert.Throws<InvalidOperationException>(() => model.ToBytes());
        Assert.Contains(OnnxModelBuilder.MlDomain, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImportOpset_And_AddMetadata_RejectDuplicates()
    {
        var model = new OnnxModelBuilder("g").ImportOpset("", 17).AddMetadata("k", "v");
        Assert.Throws<ArgumentException>(() => model.ImportOpset("", 13));
        Assert.Throws<ArgumentException>(() => model.AddMetadata("k", "w"));
    }

    [Fact]
    public void OpTypes_QualifiesOtherDomainsInOrderOfFirstUse()
    {
        var model = Stump();
        Assert.Equal(["ai.onnx.ml.TreeEnsembleRegressor", "Neg"], model.Graph.OpTypes());
    }

    [Fact]
    public void TreeEnsembleRegressor_MlDomain_RunsInOnnxRuntimeAndPassesTheChecker()
    {
        using var temp = new TempFolder();
        var path = temp.File("stump.onnx");
        Stump().Save(path);

        // x0 <= 0.5 -> leaf 1 (10), else leaf 2 (20); then negated.
        var run = OnnxRuntimeRunner.Run(path, "x", [0f, 7f, 0.5f, 0f, 0.75f, -3f], 3, 2);
        Assert.Equal([-10.0, -10.0, -20.0], run.Outputs["y"].Data);
        Assert.Equal([3L, 1L], run.Outputs["y"].Dims);

        var file = PythonOnnx.Describe(path);
        output.WriteLine($"onnx {file.OnnxVersion}: opsets {string.Join(", ", file.Opsets)}");
        Assert.Equal(17, file.Opsets[""]);
        Assert.Equal(3, file.Opsets[OnnxModelBuilder.MlDomain]);
        Assert.Equal(["ai.onnx.ml.TreeEnsembleRegressor", "Neg"], file.OpTypes);
    }

    /// <summary>One tree with one split, in ai.onnx.ml opset 3, followed by a default-domain op.</summary>
    private static OnnxModelBuilder Stump()
    {
        var model = new OnnxModelBuilder("stump").ImportOpset("", 17).ImportOpset(OnnxModelBuilder.MlDomain, 3);
        var g = model.Graph;
        g.AddInput("x", OnnxElementType.Float, "N", 2);
        g.AddNode("TreeEnsembleRegressor", ["x"], ["score"], domain: OnnxModelBuilder.MlDomain)
            .Attribute("n_targets", 1)
            .Attribute("nodes_treeids", [0L, 0L, 0L])
            .Attribute("nodes_nodeids", [0L, 1L, 2L])
            .Attribute("nodes_featureids", [0L, 0L, 0L])
            .Attribute("nodes_modes", ["BRANCH_LEQ", "LEAF", "LEAF"])
            .Attribute("nodes_values", [0.5f, 0f, 0f])
            .Attribute("nodes_truenodeids", [1L, 0L, 0L])
            .Attribute("nodes_falsenodeids", [2L, 0L, 0L])
            .Attribute("target_treeids", [0L, 0L])
            .Attribute("target_nodeids", [1L, 2L])
            .Attribute("target_ids", [0L, 0L])
            .Attribute("target_weights", [10f, 20f])
            .Attribute("aggregate_function", "SUM")
            .Attribute("post_transform", "NONE");
        g.AddNode("Neg", "y", "score");
        g.AddOutput("y", OnnxElementType.Float, "N", 1);
        return model;
    }
}

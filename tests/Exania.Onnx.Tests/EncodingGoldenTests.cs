using System.Text;
using Exania.Onnx.Proto;
using Google.Protobuf;

namespace Exania.Onnx.Tests;

/// <summary>
/// Bytes of small messages, worked out by hand from the protobuf wire format (key = field number &lt;&lt; 3 | wire type;
/// 0 varint, 2 length-delimited, 5 fixed32) and the field numbers of the public onnx.proto.
/// </summary>
public sealed class EncodingGoldenTests
{
    [Fact]
    public void OperatorSetId_MlDomain_EncodesDomainAndVersion()
    {
        var opset = new OnnxModelBuilder("g").ImportOpset("ai.onnx.ml", 3).Opsets[0];
        var proto = new OperatorSetIdProto { Domain = opset.Key, Version = opset.Value };

        // domain (1, LEN) "ai.onnx.ml"; version (2, VARINT) 3
        byte[] expected = [0x0A, 0x0A, .. "ai.onnx.ml"u8, 0x10, 0x03];
        Assert.Equal(expected, proto.ToByteArray());
    }

    [Fact]
    public void OperatorSetId_DefaultDomain_WritesTheEmptyString()
    {
        // proto2 presence: the default domain is written explicitly as "", as onnx.helper does.
        var model = new OnnxModelBuilder("g").ImportOpset("", 17);
        model.Graph.AddInput("x", OnnxElementType.Float, 1);
        model.Graph.AddNode("Neg", "y", "x");
        model.Graph.AddOutput("y", OnnxElementType.Float, 1);

        Assert.Equal([0x0A, 0x00, 0x10, 0x11], model.ToProto().OpsetImport[0].ToByteArray());
    }

    [Fact]
    public void TensorProto_TwoFloats_UsesPackedFloatData()
    {
        var tensor = OnnxTensor.Float("w", [1f, -2f], 2).ToProto();

        byte[] expected =
        [
            0x08, 0x02,                                             // dims (1, VARINT) 2 — unpacked in proto2
            0x10, 0x01,                                             // data_type (2) FLOAT = 1
            0x22, 0x08, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0, // float_data (4, LEN, packed) 1.0f, -2.0f little-endian
            0x42, 0x01, (byte)'w',                                  // name (8)
        ];
        Assert.Equal(expected, tensor.ToByteArray());
    }

    [Fact]
    public void TensorProto_Int64_UsesPackedVarints()
    {
        var tensor = OnnxTensor.Int64("i", [1, 300, -1], 3).ToProto();

        byte[] expected =
        [
            0x08, 0x03, 0x10, 0x07,                                 // dims [3], data_type INT64 = 7
            0x3A, 0x0D,                                             // int64_data (7, LEN, packed), 13 bytes:
            0x01, 0xAC, 0x02,                                       //   1, 300
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, //   -1 as a 10-byte varint
            0x42, 0x01, (byte)'i',
        ];
        Assert.Equal(expected, tensor.ToByteArray());
    }

    [Fact]
    public void TensorProto_DoubleScalar_HasNoDimsAndPackedDoubleData()
    {
        var tensor = OnnxTensor.Double("d", [0.5]).ToProto();

        byte[] expected =
        [
            0x10, 0x0B,                                             // data_type DOUBLE = 11
            0x42, 0x01, (byte)'d',                                  // name (8)
            0x52, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xE0, 0x3F, // double_data (10, LEN, packed) 0.5
        ];
        Assert.Equal(expected, tensor.ToByteArray());
    }

    [Fact]
    public void Attributes_EachKind_EncodeValueAndType()
    {
        var g = new OnnxGraphBuilder("g");
        g.AddInput("x", OnnxElementType.Float, 1);
        var node = g.AddNode("Op", "y", "x")
            .Attribute("axis", 1)
            .Attribute("w", [1f])
            .Attribute("mode", "SUM")
            .Attribute("ints", [1L, 2L]);
        var a = node.Proto.Attribute;

        // name (1); i (3); type (20, VARINT: key 160 = 0xA0 0x01) INT = 2
        Assert.Equal([0x0A, 0x04, .. "axis"u8, 0x18, 0x01, 0xA0, 0x01, 0x02], a[0].ToByteArray());
        // floats (7) unpacked in proto2: key 0x3D (7 << 3 | 5) per value; FLOATS = 6
        Assert.Equal([0x0A, 0x01, (byte)'w', 0x3D, 0x00, 0x00, 0x80, 0x3F, 0xA0, 0x01, 0x06], a[1].ToByteArray());
        // s (4, LEN); STRING = 3
        Assert.Equal([0x0A, 0x04, .. "mode"u8, 0x22, 0x03, .. "SUM"u8, 0xA0, 0x01, 0x03], a[2].ToByteArray());
        // ints (8) unpacked: key 0x40 per value; INTS = 7
        Assert.Equal([0x0A, 0x04, .. "ints"u8, 0x40, 0x01, 0x40, 0x02, 0xA0, 0x01, 0x07], a[3].ToByteArray());
    }

    [Fact]
    public void Model_TinyGraph_MatchesHandEncoding()
    {
        var model = new OnnxModelBuilder("g") { ProducerName = "exania", ProducerVersion = "1" };
        model.ImportOpset("", 17);
        model.AddMetadata("k", "v");
        model.Graph.AddInput("X", OnnxElementType.Float, "N", 2);
        model.Graph.AddNode("Neg", ["X"], ["Y"], name: "n");
        model.Graph.AddOutput("Y", OnnxElementType.Float, "N", 2);

        // ValueInfoProto: name (1); type (2) = TypeProto { tensor_type (1) = { elem_type (1) FLOAT; shape (2) =
        // TensorShapeProto { dim (1) { dim_param (2) "N" }, dim (1) { dim_value (1) 2 } } } }
        static byte[] ValueInfo(string name)
        {
            var shape = Cat(Len(1, Len(2, "N"u8.ToArray())), Len(1, [0x08, 0x02]));
            var tensor = Cat([0x08, 0x01], Len(2, shape));
            return Cat(Len(1, Utf8(name)), Len(2, Len(1, tensor)));
        }
        var node = Cat(Len(1, Utf8("X")), Len(2, Utf8("Y")), Len(3, Utf8("n")), Len(4, Utf8("Neg")));
        var graph = Cat(Len(1, node), Len(2, Utf8("g")), Len(11, ValueInfo("X")), Len(12, ValueInfo("Y")));
        var expected = Cat(
            [0x08, 0x08],                                // ir_version (1) 8
            Len(2, Utf8("exania")),                      // producer_name
            Len(3, Utf8("1")),                           // producer_version
            Len(7, graph),                               // graph
            Len(8, [0x0A, 0x00, 0x10, 0x11]),            // opset_import { domain "", version 17 }
            Len(14, Cat(Len(1, Utf8("k")), Len(2, Utf8("v"))))); // metadata_props { key, value }

        Assert.Equal(expected, model.ToBytes());
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>A length-delimited field: key (field &lt;&lt; 3 | 2), length, payload; both varints fit one byte here.</summary>
    private static byte[] Len(int field, byte[] payload)
    {
        Assert.True(field < 16 && payload.Length < 128, "the hand encoder only does one-byte keys and lengths");
        return [(byte)(field << 3 | 2), (byte)payload.Length, .. payload];
    }

    private static byte[] Cat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}

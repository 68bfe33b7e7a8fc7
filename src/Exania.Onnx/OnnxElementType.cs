namespace Exania.Onnx;

/// <summary>Tensor element types, numbered as ONNX's <c>TensorProto.DataType</c> (the value is written to the file).</summary>
public enum OnnxElementType
{
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Double = 11,
}

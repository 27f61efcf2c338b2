using System.Runtime.InteropServices;

namespace Engramia.Infrastructure.Persistence;

/// <summary>Little-endian float32 blobs: how SQLite stores vectors.</summary>
public static class VectorBlob
{
    public static byte[] ToBytes(float[] vector) => MemoryMarshal.AsBytes(vector.AsSpan()).ToArray();

    public static float[] FromBytes(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes.AsSpan()).ToArray();
}

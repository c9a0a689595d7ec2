using System.Buffers.Binary;

namespace Lrs.Api.Demo;

/// <summary>
/// A deterministic pseudo-random sequence (SplitMix64). System.Random does not promise the same numbers for a seed
/// across runtime versions; demo data must come out the same everywhere.
/// </summary>
internal sealed class DemoRandom(ulong state)
{
    private ulong _state = state;

    public ulong NextUInt64() => Mix(_state += 0x9E3779B97F4A7C15UL);

    /// <summary>A number in [0, <paramref name="max"/>); 0 when max is 0 or less.</summary>
    public int Next(int max) => max <= 0 ? 0 : (int)((NextUInt64() >> 1) % (ulong)max);

    /// <summary>A number in [<paramref name="min"/>, <paramref name="max"/>], both included.</summary>
    public int Between(int min, int max) => max <= min ? min : min + Next(max - min + 1);

    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public bool Chance(double p) => NextDouble() < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>The SplitMix64 finaliser: a bijection of 64-bit values that spreads every input bit.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// A key for (seed, a, b, domain), distinct for distinct (a, b, domain) under one seed as long as b fits in 24 bits:
    /// the three are packed without overlap and everything after is a bijection.
    /// </summary>
    public static ulong Key(int seed, int a, int b, byte domain) =>
        Mix(Mix((ulong)(uint)seed + 0x632BE59BD9B4E019UL) ^ (((ulong)(uint)a << 32) | ((ulong)(uint)b << 8) | domain));

    /// <summary>A UUID made from a key: version 8 (RFC 9562, custom), variant 10. Two distinct keys share one only if
    /// 122 mixed bits agree, which never happens at demo scale.</summary>
    public static Guid Uuid(ulong key)
    {
        ulong hi = Mix(key ^ 0xD1B54A32D192ED03UL), lo = Mix(key ^ 0x8CB92BA72F3D8DD7UL);
        hi = (hi & ~0xF000UL) | 0x8000UL;
        lo = (lo & 0x3FFFFFFFFFFFFFFFUL) | 0x8000000000000000UL;
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, hi);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], lo);
        return new Guid(bytes, bigEndian: true);
    }
}

using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Keyway.Protocols.Anthropic;
using Keyway.Tests.RealClients;
using Microsoft.ML.Tokenizers;

namespace Keyway.Tests.Protocols;

/// <summary>
/// Keyway's own o200k_base encoder against the one it replaced, Microsoft.ML.Tokenizers' <see cref="TiktokenTokenizer"/>
/// (kept as the reference here only): the same token ids, in the same order, and the same count, for generated text of
/// every kind a prompt holds and for real files. Seeds are fixed (Replay) so a run in CI is the run on a laptop.
/// </summary>
public sealed class O200kBaseTests
{
    private static readonly Tokenizer Reference = TiktokenTokenizer.CreateForEncoding("o200k_base");

    private static readonly string[] Words =
    [
        "Hello", "world", "the", "THE", "HTTPServer", "camelCase", "snake_case", "don't", "I'LL", "we're", "You'VE", "it's",
        "Zürich", "naïve", "ﬁne", "Straße", "ΑΒΓ", "αβγ", "Привет", "мир", "日本語のテキスト", "中文字符", "한국어", "مرحبا",
        "بالعالم", "नमस्ते", "שלום", "ไทย", "e\u0301", "a\u0308\u0323", "\u0301", "Ⅻ", "²", "٣", "𝔘𝔫𝔦",
    ];

    private static readonly string[] Marks =
    [
        "!", "...", "?!", "{", "}", "\":", "//", "/*", "*/", "->", "==", "'", "'s", "\"", "`", "#", "$", "%", "&&", "()", "[]",
        "<|endoftext|>", "<|endofprompt|>", "<|endof", "<|", "|>", "😀", "👨‍👩‍👧", "🏳️‍🌈", "🧨", "\uD800", "\uDC00", "\uFFFD", "\u0000",
        "\uFEFF", "\u200B", "/\n", "!\r\n",
    ];

    private static readonly string[] Spaces = [" ", "  ", "\t", "\n", "\r\n", "\n\n\n", "   \n  ", "\u00A0", "\u3000", "\r", " \t "];

    private static readonly char[] Repeated = ['a', 'A', ' ', '\n', '1', '!', 'é', '日', '-', '='];

    private static Gen<string> Fragment { get; } = Gen.Frequency(
        (6, Gen.Elements(Words)),
        (3, Gen.Elements(Marks)),
        (4, Gen.Elements(Spaces)),
        (2, Gen.Choose(0, 99_999_999).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.Choose(0, 0xFFFF).Select(c => ((char)c).ToString())),
        (1, Gen.Zip(Gen.Elements(Repeated), Gen.Choose(2, 3_000)).Select(run => new string(run.Item1, run.Item2))),
        (1, Gen.Zip(Gen.Elements("😀", "ab", "日本", " a", "\r\n"), Gen.Choose(2, 400)).Select(run => string.Concat(Enumerable.Repeat(run.Item1, run.Item2)))));

    private static Gen<string> Text { get; } =
        Gen.Choose(0, 40).SelectMany(count => Fragment.ListOf(count)).Select(string.Concat);

    [Property(MaxTest = 2_000, Replay = "(8123,4457)")]
    public Property GeneratedText_SameIdsAsTheReference() => Prop.ForAll(Text.ToArbitrary(), text => SameAsReference(text));

    [Theory]
    [InlineData("README.md")]
    [InlineData("bench/RESULTS.md")]
    [InlineData("src/Keyway.Protocols/Anthropic/TokenEstimator.cs")]
    [InlineData("src/Keyway/wwwroot/app.js")]
    [InlineData("tests/Keyway.Tests/Fixtures/anthropic/count_tokens_request.json")]
    [InlineData("tests/Keyway.Tests/Fixtures/openai/chat_request.json")]
    public void RepositoryFile_SameIdsAsTheReference(string path) =>
        SameAsReference(File.ReadAllText(Path.Combine(RepoRoot.Path, path)));

    [Fact]
    public void EmptyText_HasNoTokens() => Assert.Equal(0, O200kBase.CountTokens(""));

    private static void SameAsReference(string text)
    {
        var ids = new List<int>();
        var count = O200kBase.Encode(text, ids);

        Assert.Equal(Reference.EncodeToIds(text), ids);
        Assert.Equal(Reference.CountTokens(text), count);
        Assert.Equal(count, O200kBase.CountTokens(text));
    }
}

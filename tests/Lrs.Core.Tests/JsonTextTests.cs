using System.Text;
using System.Text.Json;
using Lrs.Core.Xapi;

namespace Lrs.Core.Tests;

/// <summary>JSON text is checked as text when it is parsed, not when a value is first read.</summary>
public sealed class JsonTextTests
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    [Theory]
    [InlineData("""{"name":"Åsa Öberg"}""")]
    [InlineData("""{"emoji":"\ud83d\ude00","raw":"😀"}""")]
    [InlineData("""{"escaped\tname":"a\"b\\c\u00e5"}""")]
    public void Valid_text_parses_with_every_string_readable(string json)
    {
        var node = JsonText.Parse(Encoding.UTF8.GetBytes(json), Options);
        node!.ToJsonString().Should().NotBeEmpty();
    }

    [Theory]
    [InlineData("7B 22 C3 28 22 3A 31 7D", "not UTF-8")]                          // {"\xC3(":1}
    [InlineData("7B 22 61 22 3A 22 FF 22 7D", "not UTF-8")]                       // {"a":"\xFF"}
    [InlineData("7B 22 61 22 3A 22 ED A0 80 22 7D", "not UTF-8")]                 // a surrogate encoded as if it were a character
    [InlineData("7B 22 61 22 3A 22 5C 75 64 38 30 30 22 7D", "lone surrogate")]   // {"a":"\ud800"}
    [InlineData("7B 22 5C 75 64 63 30 30 22 3A 31 7D", "lone surrogate")]         // {"\udc00":1}
    [InlineData("7B 22 61 22 3A 22 5C 6E FF 22 7D", "invalid UTF-8")]             // {"a":"\n\xFF"}: bad bytes beside an escape
    public void Bad_text_in_a_name_or_a_string_is_a_JsonException_when_parsed(string hex, string named)
    {
        var act = () => JsonText.Parse(Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal)), Options);
        act.Should().Throw<JsonException>().WithMessage($"*{named}*");
    }

    [Fact]
    public void A_string_over_the_limit_is_refused_and_one_at_the_limit_is_not()
    {
        JsonText.Parse(Encoding.UTF8.GetBytes($$"""{"a":"{{new string('x', 10)}}"}"""), Options, maxStringBytes: 10).Should().NotBeNull();
        var act = () => JsonText.Parse(Encoding.UTF8.GetBytes($$"""{"a":"{{new string('x', 11)}}"}"""), Options, maxStringBytes: 10);
        act.Should().Throw<JsonException>().WithMessage("*longer than 10 bytes*");
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
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
        var bytes = Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
        var act = () => JsonText.Parse(bytes, Options);
        act.Should().Throw<JsonException>().WithMessage($"*{named}*");
        var document = () => JsonText.ParseDocument(bytes, Options);
        document.Should().Throw<JsonException>().WithMessage($"*{named}*", "a document is checked as the tree is");
    }

    [Theory]
    [InlineData("""{"a":"x"}, {"b":1}""")]            // content after the value
    [InlineData("""{"a":"x","b":[1,2}""")]            // an array closed as an object
    [InlineData("""{"a":"Åsa" "b":1}""")]             // a missing comma, beside text outside ASCII
    [InlineData("""{"a":tru}""")]                     // a bad literal
    [InlineData("""{"a":"x\/y","b":}""")]              // an escape, but no \u one
    [InlineData("deeper than allowed")]
    public void A_body_that_is_not_JSON_is_refused_with_the_reader_s_own_words_whether_or_not_its_text_needs_checking(string json)
    {
        // UTF-8 throughout and without a \u escape, such a body is parsed without checking its strings first; what it is refused
        // for is still what reading it token by token says, as for a body whose strings are checked.
        if (json == "deeper than allowed") json = new string('[', Options.MaxDepth + 1) + new string(']', Options.MaxDepth + 1);
        var bytes = Encoding.UTF8.GetBytes(json);
        string? expected = null;
        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = Options.MaxDepth });
            while (reader.Read()) { }
        }
        catch (JsonException e)
        {
            expected = e.Message;
        }
        expected.Should().NotBeNull();
        var act = () => JsonText.ParseDocument(bytes, Options);
        act.Should().Throw<JsonException>().Which.Message.Should().Be(expected);
    }

    [Theory]
    [InlineData("""{"a":"x\/y\n\"z\"","b":"Åsa"}""", "x/y\n\"z\"")]
    [InlineData("""{"a":"\u00e5\/","b":"Åsa"}""", "å/")]
    public void Escapes_with_and_without_a_unicode_one_read_as_their_characters(string json, string a)
    {
        using var document = JsonText.ParseDocument(Encoding.UTF8.GetBytes(json), Options);
        document.RootElement.GetProperty("a").GetString().Should().Be(a);
    }

    [Fact]
    public void A_long_escaped_string_is_checked_in_a_document_too()
    {
        var good = Encoding.UTF8.GetBytes($$"""{"a":"{{string.Concat(Enumerable.Repeat("\\u00e5x", 200))}}"}""");
        using (var document = JsonText.ParseDocument(good, Options))
            document.RootElement.GetProperty("a").GetString().Should().HaveLength(400);
        var bad = Encoding.UTF8.GetBytes($$"""{"a":"{{new string('x', 300)}}\ud800"}""");
        var act = () => JsonText.ParseDocument(bad, Options);
        act.Should().Throw<JsonException>().WithMessage("*lone surrogate*");
    }

    [Fact]
    public void A_string_over_the_limit_is_refused_and_one_at_the_limit_is_not()
    {
        JsonText.Parse(Encoding.UTF8.GetBytes($$"""{"a":"{{new string('x', 10)}}"}"""), Options, maxStringBytes: 10).Should().NotBeNull();
        var act = () => JsonText.Parse(Encoding.UTF8.GetBytes($$"""{"a":"{{new string('x', 11)}}"}"""), Options, maxStringBytes: 10);
        act.Should().Throw<JsonException>().WithMessage("*longer than 10 bytes*");
        var document = () => JsonText.ParseDocument(Encoding.UTF8.GetBytes($$"""{"a":"{{new string('x', 11)}}"}"""), Options, maxStringBytes: 10);
        document.Should().Throw<JsonException>().WithMessage("*longer than 10 bytes*");
    }

    private static readonly JsonDocumentOptions Strict = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    [Theory]
    [InlineData("""{"a":1,"a":2}""")]
    [InlineData("""[{"x":{"b":true,"b":true}}]""")]
    public void A_property_twice_in_one_object_is_refused_when_duplicates_are_not_allowed(string json)
    {
        var act = () => JsonText.Parse(Encoding.UTF8.GetBytes(json), Strict);
        act.Should().Throw<JsonException>().WithMessage("*appears more than once*");
        JsonText.Parse(Encoding.UTF8.GetBytes(json), Options).Should().NotBeNull("duplicates are allowed by these options: the last one counts");
        var document = () => JsonText.ParseDocument(Encoding.UTF8.GetBytes(json), Strict);
        document.Should().Throw<JsonException>();
    }

    [Fact]
    public void Numbers_are_written_back_as_sent_and_read_as_numbers()
    {
        var node = JsonText.Parse(Encoding.UTF8.GetBytes("""{"a":1.0,"b":1e2,"c":-0,"d":[0.50,12345678901234567890]}"""), Strict)!;
        node.ToJsonString().Should().Be("""{"a":1.0,"b":1e2,"c":-0,"d":[0.50,12345678901234567890]}""");
        node["b"]!.GetValueKind().Should().Be(JsonValueKind.Number);
        node["a"]!.GetValue<double>().Should().Be(1.0);
    }

    [Fact]
    public void Literals_strings_arrays_and_nulls_keep_their_kinds_and_order()
    {
        var node = JsonText.Parse(Encoding.UTF8.GetBytes("""[ {"z":true,"y":false,"x":null,"w":"v"}, null, "s", [] ]"""), Strict)!;
        node.ToJsonString().Should().Be("""[{"z":true,"y":false,"x":null,"w":"v"},null,"s",[]]""");
        var first = node[0]!.AsObject();
        first.Select(p => p.Key).Should().Equal("z", "y", "x", "w");
        first["z"]!.GetValueKind().Should().Be(JsonValueKind.True);
        first["y"]!.GetValueKind().Should().Be(JsonValueKind.False);
        first.ContainsKey("x").Should().BeTrue();
        node[1].Should().BeNull();
        node[2]!.GetValue<string>().Should().Be("s");
    }

    [Fact]
    public void A_string_read_twice_is_the_same_string_not_a_new_one()
    {
        var node = JsonText.Parse(Encoding.UTF8.GetBytes("""{"id":"http://example.com/a"}"""), Strict)!;
        ReferenceEquals(node["id"]!.GetValue<string>(), node["id"]!.GetValue<string>()).Should().BeTrue();
    }

    [Theory]
    [InlineData("""{"a":1} {"b":2}""")]
    [InlineData("""[1,2]]""")]
    [InlineData("""{"a":1""")]
    [InlineData("")]
    [InlineData("   ")]
    public void Anything_but_one_whole_value_is_a_JsonException(string json)
    {
        var act = () => JsonText.Parse(Encoding.UTF8.GetBytes(json), Strict);
        act.Should().Throw<JsonException>();
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused()
    {
        JsonText.Parse(Encoding.UTF8.GetBytes(new string('[', 64) + new string(']', 64)), Strict).Should().NotBeNull();
        var act = () => JsonText.Parse(Encoding.UTF8.GetBytes(new string('[', 65) + new string(']', 65)), Strict);
        act.Should().Throw<JsonException>();
    }

    [Fact]
    public void The_tree_does_not_refer_to_the_input_buffer()
    {
        var bytes = Encoding.UTF8.GetBytes("""[{"id":"abc","n":12}]""");
        var node = JsonText.Parse(bytes, Strict)!;
        Array.Fill(bytes, (byte)' ');
        node.ToJsonString().Should().Be("""[{"id":"abc","n":12}]""");
    }

    [Fact]
    public void Strings_seen_again_and_again_come_back_as_sent_whatever_shares_a_slot()
    {
        // Enough distinct short texts that many share a slot of the table of recurring texts, each parsed three times.
        var texts = Enumerable.Range(0, 10_000).Select(i => $"http://x.se/{i}/å").ToArray();
        for (var round = 0; round < 3; round++)
        {
            var json = "[" + string.Join(",", texts.Select(t => $$"""{"id":"{{t}}"}""")) + "]";
            var node = JsonText.Parse(Encoding.UTF8.GetBytes(json), Strict)!.AsArray();
            node.Select(n => n!["id"]!.GetValue<string>()).Should().Equal(texts);
        }
    }

    // An object of n members "m0".."m{n-1}", each value given by value(i).
    private static string ObjectOf(int n, Func<int, string> value) => "{" + string.Join(",", Enumerable.Range(0, n).Select(i => $"\"m{i}\":{value(i)}")) + "}";

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(11)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(200)]
    public void Objects_of_any_size_keep_their_members_in_order_inside_and_around_other_objects(int n)
    {
        var json = "[" + ObjectOf(n, i => i % 3 == 0 ? ObjectOf(i % 20, j => j.ToString(CultureInfo.InvariantCulture)) : $"\"v{i}\"") + "," + ObjectOf(n, i => "null") + "]";
        var node = JsonText.Parse(Encoding.UTF8.GetBytes(json), Strict)!;
        node.ToJsonString().Should().Be(json);
        node[0]!.AsObject().Select(p => p.Key).Should().Equal(Enumerable.Range(0, n).Select(i => $"m{i}"));
    }

    [Theory]
    [InlineData(3, 2)]
    [InlineData(16, 15)]
    [InlineData(17, 16)]
    [InlineData(40, 39)]
    public void A_name_twice_is_found_in_a_large_object_whatever_large_object_it_holds(int n, int at)
    {
        // A duplicate after a member that is itself a large object (its names are checked on their own, not with its parent's).
        var members = Enumerable.Range(0, n).Select(i => $"\"m{i}\":{(i == 1 ? ObjectOf(30, j => "1") : "1")}").ToList();
        members.Insert(at, "\"m0\":2");
        var act = () => JsonText.Parse(Encoding.UTF8.GetBytes("{" + string.Join(",", members) + "}"), Strict);
        act.Should().Throw<JsonException>().WithMessage("*'m0'*appears more than once*");
        var inner = () => JsonText.Parse(Encoding.UTF8.GetBytes("{\"a\":" + ObjectOf(20, j => "1").TrimEnd('}') + ",\"m19\":2}}"), Strict);
        inner.Should().Throw<JsonException>().WithMessage("*'m19'*appears more than once*");
    }

    [Fact]
    public void Text_refused_inside_an_object_leaves_nothing_behind_for_the_next_parse()
    {
        var act = () => JsonText.Parse(Encoding.UTF8.GetBytes("""{"a":{"b":1,"c":[1,2"""), Strict);
        act.Should().Throw<JsonException>();
        JsonText.Parse(Encoding.UTF8.GetBytes("""{"x":{"y":1}}"""), Strict)!.ToJsonString().Should().Be("""{"x":{"y":1}}""");
    }
}

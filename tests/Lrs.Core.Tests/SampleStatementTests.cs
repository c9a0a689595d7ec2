using System.Text.Json.Nodes;
using Lrs.Core.Xapi;

namespace Lrs.Core.Tests;

/// <summary>
/// Runs every sample under Samples/. Folder decides the versions: common = both, v1_0_3 = 1.0.3, v2_0_0 = 2.0.
/// Valid samples are bare statements. Invalid samples are wrappers:
/// <c>{ "reason": "...", "expectErrorAt": "$.path", "statement": ... }</c>; the validator must report an error at
/// that path (or below it), so a sample cannot pass by failing for an unrelated reason.
/// </summary>
public class SampleStatementTests
{
    private static readonly string SampleRoot = Path.Combine(AppContext.BaseDirectory, "Samples");

    public static TheoryData<string, XapiVersion> ValidSamples() => Samples("valid");

    public static TheoryData<string, XapiVersion> InvalidSamples() => Samples("invalid");

    private static TheoryData<string, XapiVersion> Samples(string kind)
    {
        var data = new TheoryData<string, XapiVersion>();
        foreach (var (folder, versions) in new (string, XapiVersion[])[]
                 {
                     ("common", [XapiVersion.V103, XapiVersion.V200]),
                     ("v1_0_3", [XapiVersion.V103]),
                     ("v2_0_0", [XapiVersion.V200]),
                 })
        {
            var dir = Path.Combine(SampleRoot, folder, kind);
            foreach (var file in Directory.EnumerateFiles(dir, "*.json").OrderBy(f => f, StringComparer.Ordinal))
            {
                foreach (var v in versions) data.Add($"{folder}/{kind}/{Path.GetFileName(file)}", v);
            }
        }
        return data;
    }

    private static JsonNode? Load(string relative) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(SampleRoot, relative)));

    [Theory]
    [MemberData(nameof(ValidSamples))]
    public void Valid_sample_is_accepted(string sample, XapiVersion version)
    {
        var errors = StatementValidator.Validate(Load(sample), version);
        errors.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(InvalidSamples))]
    public void Invalid_sample_is_rejected_at_the_stated_path(string sample, XapiVersion version)
    {
        var wrapper = Load(sample)!.AsObject();
        var expectedAt = wrapper["expectErrorAt"]!.GetValue<string>();
        wrapper["reason"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace();

        var errors = StatementValidator.Validate(wrapper["statement"], version);

        errors.Should().Contain(e => e.Path == expectedAt || e.Path.StartsWith(expectedAt + ".", StringComparison.Ordinal)
                                     || e.Path.StartsWith(expectedAt + "[", StringComparison.Ordinal),
            "the sample says it fails at {0}, but the errors were: {1}", expectedAt, string.Join("; ", errors));
    }

    [Fact]
    public void There_are_enough_samples_to_mean_something()
    {
        Samples("valid").Count().Should().BeGreaterThanOrEqualTo(30);
        Samples("invalid").Count().Should().BeGreaterThanOrEqualTo(100);
    }
}

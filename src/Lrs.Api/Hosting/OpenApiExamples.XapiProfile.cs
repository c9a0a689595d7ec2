using System.Text.Json.Nodes;
using Lrs.Api.Xapi;
using Microsoft.OpenApi;

namespace Lrs.Api.Hosting;

/// <summary>The xAPI Profile's part.</summary>
internal static partial class OpenApiExamples
{
    private static readonly Dictionary<string, Action<OpenApiOperation>> XapiProfile = new()
    {
        ["GetXapiProfile"] = op => ResponseExample(op, "200", XapiProfileEndpoints.ContentType, XapiProfileExcerpt()),
    };

    // The served profile itself, cut to its first concept and first template so that the example stays short.
    private static JsonObject XapiProfileExcerpt()
    {
        var profile = JsonNode.Parse(XapiProfileEndpoints.Document.Span)!.AsObject();
        foreach (var list in new[] { "concepts", "templates" })
            if (profile[list] is JsonArray { Count: > 0 } items) profile[list] = new JsonArray(items[0]!.DeepClone());
        return profile;
    }
}

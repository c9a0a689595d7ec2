using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lrs.Api.Xapi;
using Lrs.Core.Competence;
using Lrs.Core.Reflection;
using Lrs.Core.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// The xAPI Profile the API serves (<c>xapi-profile/lrsapi.jsonld</c>, embedded): well-formed under the xAPI Profiles
/// 1.0 structure rules, naming every IRI the code writes or recognises, and with Statement Templates that the
/// statements LrsApi builds itself follow.
/// </summary>
public sealed partial class XapiProfileDocumentTests
{
    private const string OwnNamespace = ReflectionStatements.Namespace;

    private static JsonObject Profile() => JsonNode.Parse(XapiProfileEndpoints.Document.Span)!.AsObject();

    // Where the code keeps its IRIs: every const string of these assemblies that is an absolute http(s) IRI must be
    // named by the profile, unless it is listed below as no vocabulary of LrsApi's. A new verb, activity type or
    // extension held in a constant therefore fails this test until the profile names it.
    private static readonly Assembly[] CodeWithIris = [typeof(ReflectionStatements).Assembly, typeof(XapiProfileEndpoints).Assembly];

    private static readonly Dictionary<string, string> NotVocabulary = new()
    {
        [StatementPreparer.VoidedVerb] = "voiding is part of the xAPI specification itself",
        [StatementSignature.UsageType] = "signature attachments are part of the xAPI specification itself",
        [Lrs.Core.People.Pseudonym.HomePageBase] = "the account homePage of erased people's pseudonyms, an identity and no vocabulary",
    };

    // The demo tenant's own activities and vocabulary, and the OpenAPI examples' sample content, are a tenant's data.
    private static bool IsSampleContent(FieldInfo field, string iri) =>
        iri.StartsWith("https://demo.lrsapi.se/", StringComparison.Ordinal) || field.DeclaringType?.Name == "OpenApiExamples";

    private static readonly string[] ConceptTypes =
        ["Verb", "ActivityType", "AttachmentUsageType", "ContextExtension", "ResultExtension", "ActivityExtension",
         "StateResource", "AgentProfileResource", "ActivityProfileResource", "Activity"];

    [Fact]
    public void The_profile_has_every_property_the_xAPI_Profiles_specification_requires()
    {
        var profile = Profile();
        var errors = new List<string>();
        ((string?)profile["@context"]).Should().Be("https://w3id.org/xapi/profiles/context");
        ((string?)profile["id"]).Should().Be("https://lrsapi.se/xapi/profile");
        ((string?)profile["type"]).Should().Be("Profile");
        ((string?)profile["conformsTo"]).Should().Be("https://w3id.org/xapi/profiles#1.0");
        RequireLanguageMap(profile, "prefLabel", "profile", errors);
        RequireLanguageMap(profile, "definition", "profile", errors);
        ((string?)profile["author"]?["type"]).Should().BeOneOf("Organization", "Person");
        ((string?)profile["author"]?["name"]).Should().NotBeNullOrEmpty();

        var versions = profile["versions"]!.AsArray().Select(v => v!.AsObject()).ToList();
        versions.Should().NotBeEmpty();
        foreach (var version in versions)
        {
            version["id"]!.GetValue<string>().Should().StartWith(OwnNamespace).And.NotBe(profile["id"]!.GetValue<string>());
            DateTimeOffset.TryParse(version["generatedAtTime"]?.GetValue<string>(), out _).Should().BeTrue("every version has generatedAtTime");
        }
        var current = versions[0]["id"]!.GetValue<string>();

        var concepts = profile["concepts"]!.AsArray().Select(c => c!.AsObject()).ToList();
        foreach (var concept in concepts)
        {
            var id = concept["id"]?.GetValue<string>() ?? "";
            var type = concept["type"]?.GetValue<string>();
            if (!ConceptTypes.Contains(type)) errors.Add($"{id}: type '{type}' is no concept type");
            if (!id.StartsWith(OwnNamespace, StringComparison.Ordinal)) errors.Add($"{id}: a concept the profile defines must be in {OwnNamespace}");
            if (concept["inScheme"]?.GetValue<string>() != current) errors.Add($"{id}: inScheme must be the current version {current}");
            RequireLanguageMap(concept, "prefLabel", id, errors);
            RequireLanguageMap(concept, "definition", id, errors);
            if (concept["recommendedVerbs"] is not null && type is not ("ContextExtension" or "ResultExtension"))
                errors.Add($"{id}: recommendedVerbs only on a context or result extension");
            if (concept["recommendedActivityTypes"] is not null && type != "ActivityExtension")
                errors.Add($"{id}: recommendedActivityTypes only on an activity extension");
            if (concept["schema"] is not null && concept["inlineSchema"] is not null) errors.Add($"{id}: at most one of schema and inlineSchema");
            if (concept["inlineSchema"] is { } schema && JsonNode.Parse(schema.GetValue<string>()) is not JsonObject)
                errors.Add($"{id}: inlineSchema is a JSON Schema object as a string");
        }

        var templates = profile["templates"]!.AsArray().Select(t => t!.AsObject()).ToList();
        var templateIds = templates.Select(t => t["id"]!.GetValue<string>()).ToHashSet();
        foreach (var template in templates)
        {
            var id = template["id"]!.GetValue<string>();
            if (!id.StartsWith(OwnNamespace, StringComparison.Ordinal)) errors.Add($"{id}: templates are in {OwnNamespace}");
            if (template["type"]?.GetValue<string>() != "StatementTemplate") errors.Add($"{id}: type must be StatementTemplate");
            if (template["inScheme"]?.GetValue<string>() != current) errors.Add($"{id}: inScheme must be the current version {current}");
            RequireLanguageMap(template, "prefLabel", id, errors);
            RequireLanguageMap(template, "definition", id, errors);
            if (template["objectActivityType"] is not null && template["objectStatementRefTemplate"] is not null)
                errors.Add($"{id}: not both objectActivityType and objectStatementRefTemplate");
            foreach (var refs in new[] { "objectStatementRefTemplate", "contextStatementRefTemplate" })
                foreach (var target in template[refs]?.AsArray() ?? [])
                    if (!templateIds.Contains(target!.GetValue<string>())) errors.Add($"{id}: {refs} names {target}, no template of this profile");
            foreach (var rule in template["rules"]?.AsArray() ?? [])
            {
                var location = rule!["location"]?.GetValue<string>();
                if (location is null || !IsProfileJsonPath(location)) errors.Add($"{id}: rule location '{location}' is no JSONPath the specification allows");
                if (rule["presence"] is null && rule["any"] is null && rule["all"] is null && rule["none"] is null)
                    errors.Add($"{id}: rule at {location} needs presence, any, all or none");
                if (rule["presence"]?.GetValue<string>() is { } presence && presence is not ("included" or "excluded" or "recommended"))
                    errors.Add($"{id}: presence '{presence}'");
            }
        }

        var ids = new[] { profile["id"]!.GetValue<string>() }.Concat(versions.Select(v => v["id"]!.GetValue<string>()))
            .Concat(concepts.Select(c => c["id"]!.GetValue<string>())).Concat(templateIds).ToList();
        ids.Should().OnlyHaveUniqueItems();
        errors.AddRange(EmptyValues(profile, "$"));
        errors.Should().BeEmpty();
    }

    [Fact]
    public void Every_IRI_the_code_holds_in_a_constant_is_named_by_the_profile()
    {
        var named = NamedIris(Profile());
        var constants = CodeWithIris.SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (Field: f, Iri: (string)f.GetRawConstantValue()!))
            .Where(c => Uri.TryCreate(c.Iri, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && !c.Iri.Contains(' '))
            .Where(c => !NotVocabulary.ContainsKey(c.Iri) && !IsSampleContent(c.Field, c.Iri))
            .ToList();
        constants.Select(c => c.Iri).Should().Contain([ReflectionStatements.ReflectionTaskExtension, Framework.VerifiedVerb, EvidenceExtractor.ExpiresExtension],
            "the scan finds the constants the code writes");

        var missing = constants
            .Where(c => c.Iri.EndsWith('/') ? !named.Any(n => n.StartsWith(c.Iri, StringComparison.Ordinal)) : !named.Contains(c.Iri))
            .Select(c => $"{c.Field.DeclaringType!.Name}.{c.Field.Name} = {c.Iri}");
        missing.Should().BeEmpty("every verb, activity type and extension of the code is in xapi-profile/lrsapi.jsonld (as a concept of ours, " +
            "or in a Statement Template when another vocabulary defines it)");
    }

    [Fact]
    public void Every_verb_of_the_demo_framework_is_named_by_the_profile()
    {
        var named = NamedIris(Profile());
        var framework = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Demo", "care-framework.json")))!;
        var verbs = framework["rules"]!.AsArray().SelectMany(r => r!["verbs"]!.AsArray()).Concat(framework["signoffVerbs"]!.AsArray())
            .Select(v => v!.GetValue<string>()).Distinct().ToList();
        verbs.Should().NotBeEmpty();
        verbs.Where(v => !named.Contains(v)).Should().BeEmpty();
    }

    [Fact]
    public void The_activity_IRIs_LrsApi_mints_are_described_in_the_profile()
    {
        var text = Profile().ToJsonString(new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var meeting = ReflectionStatements.MeetingActivityId(Guid.Empty).Replace(Guid.Empty.ToString("D"), "{meetingId}", StringComparison.Ordinal);
        foreach (var iri in new[] { ReflectionStatements.TemplateActivityId("{templateId}"), ReflectionStatements.PromptActivityId("{templateId}", "{promptId}"), meeting })
            text.Should().Contain(iri);
    }

    [Fact]
    public void Reflection_answers_LrsApi_writes_follow_the_reflection_answer_template()
    {
        var statements = ReflectionStatements.Answer(new AnsweredTask(Guid.NewGuid(), Template, Guid.NewGuid(), Training, Guid.NewGuid()),
            Agent("E1001"), [new PromptAnswer("handtvatt", "För att inte sprida smitta.")], sharedWithGroup: false, DateTimeOffset.UtcNow);

        statements.Should().ContainSingle();
        Follows(statements[0], TemplateOf("reflection-answer")).Should().BeEmpty();
        Follows(statements[0], TemplateOf("group-reflection-attended")).Should().NotBeEmpty("the checker tells templates apart");
    }

    [Fact]
    public void Group_reflection_attendance_LrsApi_writes_follows_the_group_reflection_template()
    {
        var statements = ReflectionStatements.GroupAttendance(Guid.NewGuid(), "sabo-ekbacken", "Säbo Ekbacken", Agent("E2002"),
            [Agent("E1001"), Agent("E1003")], [Template], DateTimeOffset.UtcNow, Guid.NewGuid());

        statements.Should().HaveCount(2);
        foreach (var statement in statements)
            Follows(statement, TemplateOf("group-reflection-attended")).Should().BeEmpty();
        Follows(statements[0], TemplateOf("reflection-answer")).Should().NotBeEmpty("the checker tells templates apart");
    }

    [Fact]
    public void Deviation_reports_LrsApi_writes_follow_the_deviation_template_and_their_IRIs_are_described()
    {
        var report = new Lrs.Core.Planning.DeviationReport(Guid.NewGuid(), "sabo-ekbacken", new DateOnly(2026, 11, 20), "fall-during-transfer", "AVV-2026-0113",
            ["forflyttning"], null, null, Guid.NewGuid(), DateTimeOffset.UtcNow);
        var statement = Lrs.Core.Planning.Deviations.Statement(report, Framework.Empty, TimeZoneInfo.Utc);

        Follows(statement, TemplateOf("deviation-reported")).Should().BeEmpty();
        Follows(statement, TemplateOf("group-reflection-attended")).Should().NotBeEmpty("the checker tells templates apart");
        var text = Profile().ToJsonString(new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        text.Should().Contain(Lrs.Core.Planning.Deviations.ActivityPrefix + "{deviationId}").And.Contain(Lrs.Core.Planning.Deviations.CompetencePrefix + "{competenceId}");
    }

    private static readonly ReflectionTemplate Template = new("hygien-reflektion", new LocalizedText("Reflektion: hygien", "Reflection: hygiene"),
        [new ReflectionPrompt("handtvatt", new LocalizedText("Varför är det viktigt att följa hygienrutiner kring handtvätt?", null))],
        ReflectionTrigger.ForCompetence("basal-hygien"), ReflectionMode.Individual, "P14D");

    private static readonly JsonObject Training = new()
    {
        ["objectType"] = "Activity",
        ["id"] = "https://learning.solna.example/courses/basal-hygien",
        ["definition"] = new JsonObject { ["type"] = "http://adlnet.gov/expapi/activities/course" },
    };

    private static JsonObject Agent(string employee) => new()
    {
        ["objectType"] = "Agent",
        ["account"] = new JsonObject { ["homePage"] = "https://hr.solna.example", ["name"] = employee },
    };

    private static JsonObject TemplateOf(string name) =>
        Profile()["templates"]!.AsArray().Single(t => t!["id"]!.GetValue<string>() == OwnNamespace + "templates/" + name)!.AsObject();

    // Every IRI the profile names: ids, verbs, activity types, recommended verbs, rule values, and the extension keys
    // of rule locations.
    private static HashSet<string> NamedIris(JsonObject profile)
    {
        var named = new HashSet<string>(StringComparer.Ordinal);
        void Walk(JsonNode? node, string? key)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (k, v) in o) Walk(v, k);
                    break;
                case JsonArray a:
                    foreach (var v in a) Walk(v, key);
                    break;
                case JsonValue v when v.TryGetValue<string>(out var s):
                    if (key == "location") named.UnionWith(ExtensionKey().Matches(s).Select(m => m.Groups[1].Value));
                    else if (key is not ("definition" or "prefLabel" or "scopeNote") && s.StartsWith("http", StringComparison.Ordinal)) named.Add(s);
                    break;
            }
        }
        Walk(profile["concepts"], null);
        Walk(profile["templates"], null);
        return named;
    }

    private static void RequireLanguageMap(JsonObject owner, string property, string who, List<string> errors)
    {
        if (owner[property] is not JsonObject { Count: > 0 } map) errors.Add($"{who}: {property} must be a non-empty language map");
        else if (map.Any(e => e.Value is not JsonValue v || !v.TryGetValue<string>(out var s) || s.Length == 0))
            errors.Add($"{who}: every {property} entry is a non-empty string");
    }

    // Values in a profile must not be empty objects, null, empty strings or empty arrays (section 4.0).
    private static IEnumerable<string> EmptyValues(JsonNode? node, string path) => node switch
    {
        null => [$"{path} is null"],
        JsonObject { Count: 0 } or JsonArray { Count: 0 } => [$"{path} is empty"],
        JsonObject o => o.SelectMany(e => EmptyValues(e.Value, $"{path}.{e.Key}")),
        JsonArray a => a.SelectMany((v, i) => EmptyValues(v, $"{path}[{i}]")),
        JsonValue v when v.TryGetValue<string>(out var s) && s.Length == 0 => [$"{path} is an empty string"],
        _ => [],
    };

    // The JSONPath of Statement Template rules (section 8.1): child names, quoted names, indexes and *, unions by '|';
    // no filters or scripts.
    private static bool IsProfileJsonPath(string location) =>
        location.Split('|').All(p => PathSyntax().IsMatch(p.Trim()));

    private static IEnumerable<JsonNode> Evaluate(JsonNode statement, string location)
    {
        foreach (var path in location.Split('|'))
        {
            IEnumerable<JsonNode?> current = [statement];
            foreach (Match step in PathStep().Matches(path.Trim()))
            {
                var name = step.Groups["name"].Success ? step.Groups["name"].Value : step.Groups["quoted"].Success ? step.Groups["quoted"].Value : null;
                current = current.SelectMany(node => name is not null ? [node is JsonObject o ? o[name] : null]
                    : step.Groups["index"].Success ? [node is JsonArray a && int.Parse(step.Groups["index"].Value) < a.Count ? a[int.Parse(step.Groups["index"].Value)] : null]
                    : node is JsonArray all ? all.AsEnumerable() : node is JsonObject obj ? obj.Select(e => e.Value) : []);
            }
            foreach (var value in current)
                if (value is not null) yield return value;
        }
    }

    // The Learning Record Provider's requirements of a Statement Template (sections 8.0 and 8.1), for the properties
    // this profile uses; the problems found, none when the statement follows the template.
    private static List<string> Follows(JsonObject statement, JsonObject template)
    {
        var problems = new List<string>();
        if (template["verb"]?.GetValue<string>() is { } verb && statement["verb"]?["id"]?.GetValue<string>() != verb) problems.Add($"verb is not {verb}");
        if (template["objectActivityType"]?.GetValue<string>() is { } type && statement["object"]?["definition"]?["type"]?.GetValue<string>() != type)
            problems.Add($"object type is not {type}");
        if (template["objectStatementRefTemplate"] is not null && statement["object"]?["objectType"]?.GetValue<string>() != "StatementRef")
            problems.Add("object is no StatementRef");
        foreach (var rule in template["rules"]?.AsArray() ?? [])
        {
            var location = rule!["location"]!.GetValue<string>();
            var values = Evaluate(statement, location).ToList();
            var presence = rule["presence"]?.GetValue<string>();
            if (presence == "included" && values.Count == 0) problems.Add($"{location} is missing");
            if (presence == "excluded" && values.Count > 0) problems.Add($"{location} is present");
            if (presence == "recommended" && values.Count == 0) continue;
            if (rule["any"] is JsonArray any && !values.Any(v => any.Any(a => JsonNode.DeepEquals(a, v)))) problems.Add($"{location} has none of {any.ToJsonString()}");
            if (rule["all"] is JsonArray all && !values.All(v => all.Any(a => JsonNode.DeepEquals(a, v)))) problems.Add($"{location} has a value outside {all.ToJsonString()}");
            if (rule["none"] is JsonArray none && values.Any(v => none.Any(n => JsonNode.DeepEquals(n, v)))) problems.Add($"{location} has one of {none.ToJsonString()}");
        }
        return problems;
    }

    [GeneratedRegex(@"\['([^']+)'\]")]
    private static partial Regex ExtensionKey();

    [GeneratedRegex(@"^\$(\.[A-Za-z0-9_]+|\.\*|\['[^']+'\]|\[\*\]|\[\d+\])+$")]
    private static partial Regex PathSyntax();

    [GeneratedRegex(@"\.(?<name>[A-Za-z0-9_]+)|\['(?<quoted>[^']+)'\]|\[(?<index>\d+)\]|\[\*\]|\.\*")]
    private static partial Regex PathStep();
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests.Infrastructure;

/// <summary>
/// A fresh tenant for competence planning: a framework with patient transfer (two years), CPR with sign-off (one year),
/// medication delegation (a duty) and insulin delegation (which needs it), a group reflection on dementia; two employers, a
/// unit of each.
/// </summary>
public sealed class PlanningTenant(LrsFixture lrs, HttpClient client, string name)
{
    public const string Organisation = "solna-stad", OtherOrganisation = "omsorg-ab";
    public const string Unit = "ekbacken", OtherUnit = "hemtjanst-norr", ForeignUnit = "privat-ost";
    public const string TransferCourse = "https://learning.solna.example/courses/forflyttning";
    public const string DelegationCourse = "https://learning.solna.example/courses/deleg-lakemedel";
    public const string DementiaCourse = "https://learning.solna.example/courses/demens-abc";
    public const string HlrSession = "https://demo.lrsapi.se/xapi/activities/sessions/hlr/2026-11-02";
    private const string Verified = "https://w3id.org/xapi/tla/verbs/verified";

    public HttpClient Client { get; } = client;
    public string Name { get; } = name;

    public static async Task<PlanningTenant> CreateAsync(LrsFixture lrs)
    {
        var name = "plan-" + Guid.NewGuid().ToString("N")[..10];
        var client = await lrs.ClientWithScopesAsync("all framework:write people:write profiles:read reflections:read reflections:write admin", "2.0.0", name);
        var put = await client.PutAsync("/api/framework", Json(Framework()));
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        var organisations = new JsonArray
        {
            new JsonObject
            {
                ["id"] = Organisation, ["name"] = "Solna stad", ["hrHomePage"] = "https://hr.solna.example",
                ["units"] = new JsonArray { Unit("ekbacken", "Vårdboende Ekbacken"), Unit(OtherUnit, "Hemtjänst Norr") },
            },
            new JsonObject
            {
                ["id"] = OtherOrganisation, ["name"] = "Omsorg AB", ["hrHomePage"] = "https://hr.omsorg.example",
                ["units"] = new JsonArray { Unit(ForeignUnit, "Privat Öst") },
            },
        };
        var orgs = await client.PutAsync("/api/organisations", Json(organisations));
        orgs.StatusCode.Should().Be(HttpStatusCode.OK, await orgs.Content.ReadAsStringAsync());
        return new PlanningTenant(lrs, client, name);

        static JsonObject Unit(string id, string unitName) => new() { ["id"] = id, ["name"] = unitName };
    }

    public static JsonObject Framework()
    {
        static JsonObject C(string id, string sv, string? validity, params string[] prerequisites)
        {
            var c = new JsonObject { ["id"] = id, ["name"] = new JsonObject { ["sv"] = sv, ["en"] = id } };
            if (validity is not null) c["validity"] = validity;
            if (prerequisites.Length > 0) c["prerequisites"] = new JsonArray([.. prerequisites.Select(p => (JsonNode)p)]);
            return c;
        }
        static JsonObject Rule(string id, string competence, string verb, string activity) =>
            new() { ["id"] = id, ["competence"] = competence, ["verbs"] = new JsonArray(verb), ["activities"] = new JsonArray(activity) };
        static JsonObject Req(string competence, string level = "required", string? duty = null)
        {
            var r = new JsonObject { ["competence"] = competence, ["level"] = level };
            if (duty is not null) r["duty"] = duty;
            return r;
        }
        static JsonObject Text(string sv) => new() { ["sv"] = sv, ["en"] = sv };
        return new JsonObject
        {
            ["competences"] = new JsonArray
            {
                C("forflyttning", "Förflyttningsteknik", "P2Y"), C("hlr", "Hjärt-lungräddning", "P1Y"), C("demens-abc", "Demens ABC", null),
                C("deleg-lakemedel", "Delegering: läkemedelshantering", "P1Y"), C("deleg-insulin", "Delegering: insulin", "P1Y", "deleg-lakemedel"),
            },
            ["rules"] = new JsonArray
            {
                Rule("forflyttning-kurs", "forflyttning", Completed, TransferCourse),
                Rule("demens-kurs", "demens-abc", Completed, DementiaCourse),
                Rule("deleg-kurs", "deleg-lakemedel", Completed, DelegationCourse),
                Rule("insulin-kurs", "deleg-insulin", Completed, "https://learning.solna.example/courses/deleg-insulin"),
                new JsonObject
                {
                    ["id"] = "hlr-ovning", ["competence"] = "hlr", ["verbs"] = new JsonArray(Passed),
                    ["activityPrefixes"] = new JsonArray("https://demo.lrsapi.se/xapi/activities/sessions/hlr"), ["successRequired"] = true, ["signoffRequired"] = true,
                },
            },
            ["roles"] = new JsonArray
            {
                new JsonObject
                {
                    ["id"] = "underskoterska", ["name"] = Text("Undersköterska"),
                    ["requirements"] = new JsonArray
                    {
                        Req("forflyttning"), Req("hlr"), Req("demens-abc"), Req("deleg-lakemedel", "conditional", "delegated-tasks"),
                        Req("deleg-insulin", "conditional", "delegated-tasks"),
                    },
                },
                new JsonObject { ["id"] = "sjukskoterska", ["name"] = Text("Sjuksköterska"), ["requirements"] = new JsonArray { Req("hlr") } },
            },
            ["reflectionTemplates"] = new JsonArray
            {
                new JsonObject
                {
                    ["id"] = "forflyttning-reflektion", ["title"] = Text("Reflektion efter förflyttning"),
                    ["prompts"] = new JsonArray { new JsonObject { ["id"] = "delaktig", ["text"] = Text("Varför är det viktigt att vårdtagaren görs delaktig?") } },
                    ["trigger"] = new JsonObject { ["competence"] = "forflyttning" }, ["mode"] = "individual", ["dueIn"] = "P14D",
                },
                new JsonObject
                {
                    ["id"] = "demens-apt", ["title"] = Text("Demens på APT"),
                    ["prompts"] = new JsonArray { new JsonObject { ["id"] = "orolig", ["text"] = Text("Beskriv en situation där en person blev orolig.") } },
                    ["trigger"] = new JsonObject { ["competence"] = "demens-abc" }, ["mode"] = "group", ["dueIn"] = "P30D",
                },
            },
        };
    }

    /// <summary>Creates or replaces a person of <see cref="Organisation"/> (or of the organisation the unit belongs to).</summary>
    public async Task AddPersonAsync(string id, string role, JsonObject agent, string unit = Unit, string[]? duties = null)
    {
        var people = new JsonArray
        {
            new JsonObject
            {
                ["id"] = id, ["organisationId"] = unit == ForeignUnit ? OtherOrganisation : Organisation, ["name"] = "Person " + id,
                ["units"] = new JsonArray(unit), ["roles"] = new JsonArray(role),
                ["duties"] = new JsonArray([.. (duties ?? []).Select(d => (JsonNode)d)]), ["agents"] = new JsonArray(agent.DeepClone()),
            },
        };
        var put = await Client.PutAsync("/api/people", Json(people));
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
    }

    /// <summary>A client of this tenant restricted to one organisation, holding every scope.</summary>
    public Task<HttpClient> RestrictedClientAsync(string organisation) =>
        lrs.ClientWithScopesAsync("all people:write profiles:read reflections:read reflections:write", "2.0.0", Name,
            new Lrs.Core.Storage.CredentialRestrictions(organisation, null, null));

    /// <summary>The status of one competence in a person's profile as of <paramref name="asOf"/> (now when null).</summary>
    public async Task<string> StatusAsOfAsync(string person, string competence, DateTimeOffset? asOf)
    {
        var query = asOf is { } at ? "?asOf=" + Uri.EscapeDataString(at.ToString("O")) : "";
        var response = await Client.GetAsync($"/api/people/{person}/profile{query}");
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var profile = await response.Content.ReadFromJsonAsync<JsonNode>();
        return profile!["competences"]!.AsArray().FirstOrDefault(c => c!["competence"]!.GetValue<string>() == competence)?["status"]!.GetValue<string>() ?? "absent";
    }

    public static JsonObject At(JsonObject statement, DateTimeOffset timestamp)
    {
        statement["timestamp"] = timestamp.ToString("O");
        return statement;
    }

    public static JsonObject Signoff(string target, JsonObject signer) => new()
    {
        ["actor"] = signer.DeepClone(),
        ["verb"] = new JsonObject { ["id"] = Verified, ["display"] = new JsonObject { ["en-US"] = "verified" } },
        ["object"] = new JsonObject { ["objectType"] = "StatementRef", ["id"] = target },
    };
}

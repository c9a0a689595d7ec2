using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>State, Activity Profile and Agent Profile: the rules they share, then what is particular to each.</summary>
public abstract class DocumentTests(LrsFixture lrs)
{
    private readonly HttpClient _v1 = lrs.Client("1.0.3");
    private readonly HttpClient _v2 = lrs.Client("2.0.0");

    public static TheoryData<string> Resources => ["state", "activityProfile", "agentProfile"];

    /// <summary>A fresh address on one of the three resources: its path and query parameters, the id last.</summary>
    private sealed record Address(string Path, List<(string Name, string Value)> Parameters)
    {
        public string Url => Build(Parameters);
        public string ListUrl => Build(Parameters.SkipLast(1));
        public Address WithId(string id) => this with { Parameters = [.. Parameters.SkipLast(1), (Parameters[^1].Name, id)] };
        public Address With(string name, string value) => this with { Parameters = [.. Parameters.SkipLast(1), (name, value), Parameters[^1]] };
        private string Build(IEnumerable<(string Name, string Value)> parameters) =>
            Path + "?" + string.Join("&", parameters.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}"));
    }

    private static Address New(string resource, JsonObject? agent = null, string? activity = null) => resource switch
    {
        "state" => new("/xapi/activities/state", [("activityId", activity ?? NewActivityId()), ("agent", (agent ?? NewAgent()).ToJsonString()), ("stateId", NewId())]),
        "activityProfile" => new("/xapi/activities/profile", [("activityId", activity ?? NewActivityId()), ("profileId", NewId())]),
        "agentProfile" => new("/xapi/agents/profile", [("agent", (agent ?? NewAgent()).ToJsonString()), ("profileId", NewId())]),
        _ => throw new ArgumentOutOfRangeException(nameof(resource)),
    };

    private static string NewId() => "doc-" + Guid.NewGuid().ToString("N")[..12];

    private static async Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string url, HttpContent? content = null, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return await client.SendAsync(request);
    }

    private static readonly (string, string) CreateOnly = ("If-None-Match", "*");

    private static async Task Create(HttpClient client, Address address, JsonNode document)
    {
        var response = await Send(client, HttpMethod.Put, address.Url, Json(document), CreateOnly);
        response.StatusCode.Should().Be(HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonNode?> GetJson(HttpClient client, Address address)
    {
        var response = await client.GetAsync(address.Url);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync());
    }

    private static async Task ShouldHold(HttpClient client, Address address, JsonNode expected)
    {
        var actual = await GetJson(client, address);
        JsonNode.DeepEquals(actual, expected).Should().BeTrue("the document should be {0} but is {1}", expected.ToJsonString(), actual?.ToJsonString());
    }

    private static async Task<string[]> Ids(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
    }

    // --- Storing and reading ---

    [Theory, MemberData(nameof(Resources))]
    public async Task Put_then_get_returns_the_bytes_exactly_as_sent_with_their_content_type_etag_and_last_modified(string resource)
    {
        var address = New(resource);
        var bytes = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF, 0x0D, 0x0A, 0x1A, 0x0A };
        var body = new ByteArrayContent(bytes);
        body.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        (await Send(_v1, HttpMethod.Put, address.Url, body, CreateOnly)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var response = await _v1.GetAsync(address.Url);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsByteArrayAsync()).Should().Equal(bytes);
        response.Content.Headers.ContentType!.MediaType.Should().Be("image/png");
        response.Headers.ETag!.Tag.Should().MatchRegex("^\"[0-9a-f]{40}\"$", "the 1.0.3 suite expects a quoted SHA-1 (XAPI-00322)");
        response.Content.Headers.LastModified.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_document_sent_without_a_content_type_is_answered_as_octet_stream()
    {
        var address = New("state");
        var body = new ByteArrayContent("plain bytes"u8.ToArray());
        (await _v1.PutAsync(address.Url, body)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var response = await _v1.GetAsync(address.Url);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/octet-stream");
        (await response.Content.ReadAsStringAsync()).Should().Be("plain bytes");
    }

    [Theory, MemberData(nameof(Resources))]
    public async Task Get_of_a_document_that_is_not_there_is_404(string resource)
    {
        var response = await _v1.GetAsync(New(resource).Url);
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Theory, MemberData(nameof(Resources))]
    public async Task Head_answers_like_get_without_a_body(string resource)
    {
        var address = New(resource);
        await Create(_v1, address, new JsonObject { ["x"] = 1 });

        var response = await Send(_v1, HttpMethod.Head, address.Url);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.ETag.Should().NotBeNull();
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty("XAPI-00125: HEAD is GET without the body");
    }

    [Theory, MemberData(nameof(Resources))]
    public async Task Every_write_moves_last_modified_forward(string resource)
    {
        var address = New(resource);
        await Create(_v2, address, new JsonObject { ["step"] = 1 });
        var first = (await _v2.GetAsync(address.Url)).Content.Headers.LastModified!.Value;

        await Task.Delay(1100); // Last-Modified counts whole seconds.
        (await _v2.PostAsync(address.Url, Json(new JsonObject { ["step"] = 2 }))).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await _v2.GetAsync(address.Url)).Content.Headers.LastModified!.Value.Should().BeAfter(first);
    }

    // --- POST: create or merge (Communication 2.2.s7) ---

    [Theory, MemberData(nameof(Resources))]
    public async Task Post_to_an_empty_address_stores_the_document_as_put_would(string resource)
    {
        var address = New(resource);
        var document = new JsonObject { ["car"] = "Volvo" };
        (await _v1.PostAsync(address.Url, Json(document))).StatusCode.Should().Be(HttpStatusCode.NoContent, "XAPI-00233");
        await ShouldHold(_v1, address, document);
    }

    [Theory, MemberData(nameof(Resources))]
    public async Task Post_merges_top_level_properties_and_replaces_nested_objects_whole(string resource)
    {
        var address = New(resource);
        await Create(_v1, address, JsonNode.Parse("""{ "car": { "make": "Volvo", "model": "V70" }, "driver": "Anna", "kept": true }""")!);
        (await _v1.PostAsync(address.Url, Json(JsonNode.Parse("""{ "car": { "make": "Saab" }, "driver": "Bo" }""")!)))
            .StatusCode.Should().Be(HttpStatusCode.NoContent);

        var merged = await GetJson(_v1, address);
        JsonNode.DeepEquals(merged, JsonNode.Parse("""{ "car": { "make": "Saab" }, "driver": "Bo", "kept": true }""")).Should().BeTrue(
            "XAPI-00183, XAPI-00184: duplicates are overwritten one level deep; got {0}", merged!.ToJsonString());
    }

    [Theory, MemberData(nameof(Resources))]
    public async Task Post_of_a_non_json_body_onto_a_json_document_is_400_and_changes_nothing(string resource)
    {
        var address = New(resource);
        var document = new JsonObject { ["a"] = 1 };
        await Create(_v1, address, document);

        var response = await _v1.PostAsync(address.Url, new StringContent("abcdefg", Encoding.UTF8, "text/plain"));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, "XAPI-00232");
        await ShouldHold(_v1, address, document);
    }

    [Theory, MemberData(nameof(Resources))]
    public async Task Post_of_json_onto_a_non_json_document_is_400_and_changes_nothing(string resource)
    {
        var address = New(resource);
        var binary = new ByteArrayContent("/ asdf / undefined"u8.ToArray());
        binary.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        (await Send(_v1, HttpMethod.Put, address.Url, binary, CreateOnly)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await _v1.PostAsync(address.Url, Json(new JsonObject { ["a"] = 1 }))).StatusCode.Should().Be(HttpStatusCode.BadRequest, "XAPI-00229");
        (await _v1.GetStringAsync(address.Url)).Should().Be("/ asdf / undefined");
    }

    [Theory, MemberData(nameof(Resources))]
    public async Task Post_claiming_json_that_is_not_a_json_object_is_400_and_changes_nothing(string resource)
    {
        var address = New(resource);
        var document = new JsonObject { ["a"] = 1 };
        await Create(_v1, address, document);

        (await _v1.PostAsync(address.Url, new StringContent("""{ "b": 2 }{""", Encoding.UTF8, "application/json")))
            .StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await _v1.PostAsync(address.Url, new StringContent("[1, 2]", Encoding.UTF8, "application/json")))
            .StatusCode.Should().Be(HttpStatusCode.BadRequest);
        await ShouldHold(_v1, address, document);
        (await _v1.PostAsync(New(resource).Url, new StringContent("not json", Encoding.UTF8, "application/json")))
            .StatusCode.Should().Be(HttpStatusCode.BadRequest, "also when there is nothing to merge into");
    }

    // --- Concurrency (Communication 3.1, XAPI-00322; 2.0 §4.1.4) ---

    [Theory, MemberData(nameof(Resources))]
    public async Task A_wrong_If_Match_is_412_and_changes_nothing_on_put_post_and_delete(string resource)
    {
        var address = New(resource);
        var document = new JsonObject { ["name"] = "original" };
        await Create(_v2, address, document);
        var wrong = ("If-Match", "\"1111111111111111111111111111111111111111\"");

        (await Send(_v2, HttpMethod.Put, address.Url, Json(new JsonObject { ["name"] = "put" }), wrong)).StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        (await Send(_v2, HttpMethod.Post, address.Url, Json(new JsonObject { ["name"] = "post" }), wrong)).StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        (await Send(_v2, HttpMethod.Delete, address.Url, null, wrong)).StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);

        await ShouldHold(_v2, address, document);
    }

    [Theory, MemberData(nameof(Resources))]
    public async Task The_current_ETag_in_If_Match_allows_put_post_and_delete(string resource)
    {
        var address = New(resource);
        await Create(_v2, address, new JsonObject { ["name"] = "original" });

        var etag = (await _v2.GetAsync(address.Url)).Headers.ETag!.Tag;
        (await Send(_v2, HttpMethod.Put, address.Url, Json(new JsonObject { ["name"] = "put" }), ("If-Match", etag))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await GetJson(_v2, address))!["name"]!.GetValue<string>().Should().Be("put");

        etag = (await _v2.GetAsync(address.Url)).Headers.ETag!.Tag;
        (await Send(_v2, HttpMethod.Post, address.Url, Json(new JsonObject { ["extra"] = true }), ("If-Match", etag))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await GetJson(_v2, address))!["extra"]!.GetValue<bool>().Should().BeTrue();

        etag = (await _v2.GetAsync(address.Url)).Headers.ETag!.Tag;
        (await Send(_v2, HttpMethod.Delete, address.Url, null, ("If-Match", etag))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _v2.GetAsync(address.Url)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Theory, MemberData(nameof(Resources))]
    public async Task If_None_Match_star_creates_but_is_412_and_changes_nothing_when_a_document_exists(string resource)
    {
        var address = New(resource);
        var document = new JsonObject { ["name"] = "first" };
        await Create(_v1, address, document);

        (await Send(_v1, HttpMethod.Put, address.Url, Json(new JsonObject { ["name"] = "second" }), CreateOnly)).StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        await ShouldHold(_v1, address, document);
    }

    [Theory, MemberData(nameof(Resources))]
    public async Task If_Match_star_on_an_empty_address_is_412(string resource)
    {
        var address = New(resource);
        (await Send(_v2, HttpMethod.Put, address.Url, Json(new JsonObject()), ("If-Match", "*"))).StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        (await _v2.GetAsync(address.Url)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("activityProfile", "1.0.3")]
    [InlineData("activityProfile", "2.0.0")]
    [InlineData("agentProfile", "1.0.3")]
    [InlineData("agentProfile", "2.0.0")]
    [InlineData("state", "2.0.0")]
    public async Task Put_without_precondition_onto_an_existing_document_is_409_with_a_message_and_changes_nothing(string resource, string version)
    {
        var client = version == "1.0.3" ? _v1 : _v2;
        var address = New(resource);
        var document = new JsonObject { ["name"] = "original" };
        await Create(client, address, document);

        var response = await client.PutAsync(address.Url, Json(new JsonObject { ["name"] = "overwritten" }));
        response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!.GetValue<string>().Should().NotBeNullOrEmpty();
        await ShouldHold(client, address, document);
    }

    [Fact]
    public async Task Under_1_0_3_state_put_without_precondition_overwrites()
    {
        var address = New("state");
        (await _v1.PutAsync(address.Url, Json(new JsonObject { ["v"] = 1 }))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _v1.PutAsync(address.Url, Json(new JsonObject { ["v"] = 2 }))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await GetJson(_v1, address))!["v"]!.GetValue<int>().Should().Be(2);
    }

    [Theory]
    [InlineData("activityProfile")]
    [InlineData("agentProfile")]
    public async Task Under_1_0_3_a_profile_put_without_precondition_is_400_even_when_new_but_2_0_0_creates(string resource)
    {
        var address = New(resource);
        (await _v1.PutAsync(address.Url, Json(new JsonObject()))).StatusCode.Should().Be(HttpStatusCode.BadRequest, "XAPI-00273, XAPI-00287 as the 1.0.3 suite tests them");
        (await _v1.GetAsync(address.Url)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _v2.PutAsync(address.Url, Json(new JsonObject()))).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    // --- Lists, since, delete ---

    [Theory, MemberData(nameof(Resources))]
    public async Task Get_without_an_id_lists_the_ids_and_since_keeps_only_later_writes(string resource)
    {
        var first = New(resource);
        var second = first.WithId(NewId());
        await Create(_v2, first, new JsonObject { ["n"] = 1 });
        await Task.Delay(50);
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        await Create(_v2, second, new JsonObject { ["n"] = 2 });

        (await Ids(_v2, first.ListUrl)).Should().BeEquivalentTo([first.Parameters[^1].Value, second.Parameters[^1].Value]);
        (await Ids(_v2, first.ListUrl + "&since=" + Uri.EscapeDataString(between.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'"))))
            .Should().Equal([second.Parameters[^1].Value], "XAPI-00195: only documents stored after since");
    }

    [Theory, MemberData(nameof(Resources))]
    public async Task The_list_answers_the_newest_update_as_last_modified(string resource)
    {
        var first = New(resource);
        await Create(_v2, first, new JsonObject());
        await Task.Delay(1100);
        var second = first.WithId(NewId());
        await Create(_v2, second, new JsonObject());
        var newest = (await _v2.GetAsync(second.Url)).Content.Headers.LastModified;

        (await _v2.GetAsync(first.ListUrl)).Content.Headers.LastModified.Should().Be(newest);
    }

    [Theory, MemberData(nameof(Resources))]
    public async Task Since_that_is_not_a_timestamp_is_400(string resource)
    {
        (await _v1.GetAsync(New(resource).ListUrl + "&since=not%20a%20timestamp")).StatusCode.Should().Be(HttpStatusCode.BadRequest, "XAPI-00204");
    }

    [Theory, MemberData(nameof(Resources))]
    public async Task Delete_removes_the_document_and_deleting_again_is_still_204(string resource)
    {
        var address = New(resource);
        await Create(_v1, address, new JsonObject());
        (await _v1.DeleteAsync(address.Url)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _v1.GetAsync(address.Url)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _v1.DeleteAsync(address.Url)).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task State_delete_without_stateId_deletes_every_state_of_the_activity_and_agent_only()
    {
        var agent = NewAgent();
        var activity = NewActivityId();
        var a = New("state", agent, activity);
        var b = a.WithId(NewId());
        var otherAgent = New("state", NewAgent(), activity);
        await Create(_v1, a, new JsonObject());
        await Create(_v1, b.With("registration", Guid.NewGuid().ToString()), new JsonObject());
        await Create(_v1, otherAgent, new JsonObject());

        (await _v1.DeleteAsync(a.ListUrl)).StatusCode.Should().Be(HttpStatusCode.NoContent, "XAPI-00194");
        (await Ids(_v1, a.ListUrl)).Should().BeEmpty();
        (await Ids(_v1, otherAgent.ListUrl)).Should().HaveCount(1);
    }

    [Fact]
    public async Task A_registration_makes_a_separate_state_and_scopes_lists_and_deletes()
    {
        var plain = New("state");
        var registration = Guid.NewGuid().ToString();
        var other = Guid.NewGuid().ToString();
        var inRegistration = plain.With("registration", registration);
        await Create(_v1, plain, new JsonObject { ["where"] = "none" });
        await Create(_v1, inRegistration, new JsonObject { ["where"] = "registration" });

        (await GetJson(_v1, plain))!["where"]!.GetValue<string>().Should().Be("none");
        (await GetJson(_v1, inRegistration))!["where"]!.GetValue<string>().Should().Be("registration");
        (await _v1.GetAsync(plain.With("registration", other).Url)).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var id = plain.Parameters[^1].Value;
        (await Ids(_v1, inRegistration.ListUrl)).Should().Equal([id]);
        (await Ids(_v1, plain.With("registration", other).ListUrl)).Should().BeEmpty();
        (await Ids(_v1, plain.ListUrl)).Should().Equal([id], "without registration the list covers every registration, each id once");

        (await _v1.DeleteAsync(inRegistration.ListUrl)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _v1.GetAsync(inRegistration.Url)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _v1.GetAsync(plain.Url)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("state")]
    [InlineData("agentProfile")]
    public async Task The_agent_is_matched_by_its_identifier_so_a_name_does_not_make_another_agent(string resource)
    {
        var agent = NewAgent("Anna Andersson");
        var address = New(resource, agent);
        await Create(_v1, address, new JsonObject { ["a"] = 1 });

        var bare = new JsonObject { ["account"] = agent["account"]!.DeepClone() };
        var sameAgent = address with { Parameters = [.. address.Parameters.Select(p => p.Name == "agent" ? ("agent", bare.ToJsonString()) : p)] };
        (await _v1.GetAsync(sameAgent.Url)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    // --- Parameters ---

    [Theory]
    [InlineData("state", "activityId")]
    [InlineData("state", "agent")]
    [InlineData("state", "stateId")]
    [InlineData("activityProfile", "activityId")]
    [InlineData("activityProfile", "profileId")]
    [InlineData("agentProfile", "agent")]
    [InlineData("agentProfile", "profileId")]
    public async Task A_write_without_a_required_parameter_is_400(string resource, string missing)
    {
        var address = New(resource);
        var url = address with { Parameters = [.. address.Parameters.Where(p => p.Name != missing)] };
        var query = url.Path + "?" + string.Join("&", url.Parameters.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}"));
        (await Send(_v1, HttpMethod.Put, query, Json(new JsonObject()), CreateOnly)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await _v1.PostAsync(query, Json(new JsonObject()))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        if (missing is "stateId") return; // DELETE and GET without stateId address every state of the activity and agent.
        if (missing is not "profileId") (await _v1.GetAsync(query)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await _v1.DeleteAsync(query)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Theory, MemberData(nameof(Resources))]
    public async Task An_unknown_or_wrongly_cased_parameter_is_400(string resource)
    {
        var address = New(resource);
        (await _v1.GetAsync(address.Url + "&color=blue")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var wrongCase = address.Url.Replace("Id=", "ID=", StringComparison.Ordinal);
        (await Send(_v1, HttpMethod.Put, wrongCase, Json(new JsonObject()), CreateOnly)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("state", "true")]
    [InlineData("state", "{ not json")]
    [InlineData("agentProfile", "true")]
    [InlineData("agentProfile", """{"objectType":"Agent","name":"No identifier"}""")]
    [InlineData("agentProfile", """{"mbox":"mailto:a@example.com","account":{"homePage":"https://hr.example","name":"1"}}""")]
    public async Task An_agent_that_is_not_json_or_not_an_identified_agent_is_400(string resource, string agent)
    {
        var address = New(resource);
        var bad = address with { Parameters = [.. address.Parameters.Select(p => p.Name == "agent" ? ("agent", agent) : p)] };
        (await Send(_v1, HttpMethod.Put, bad.Url, Json(new JsonObject()), CreateOnly)).StatusCode.Should().Be(HttpStatusCode.BadRequest, "XAPI-00199, XAPI-00257");
        (await _v1.GetAsync(bad.Url)).StatusCode.Should().Be(HttpStatusCode.BadRequest, "XAPI-00258");
        (await _v1.DeleteAsync(bad.Url)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_registration_that_is_not_a_uuid_is_400()
    {
        var address = New("state").With("registration", "not-a-uuid");
        (await _v1.PutAsync(address.Url, Json(new JsonObject()))).StatusCode.Should().Be(HttpStatusCode.BadRequest, "XAPI-00203");
        (await _v1.GetAsync(address.Url)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await _v1.DeleteAsync(address.ListUrl)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("state")]
    [InlineData("activityProfile")]
    public async Task An_activityId_that_is_not_an_IRI_is_400(string resource)
    {
        var address = New(resource, activity: "not an iri");
        (await Send(_v1, HttpMethod.Put, address.Url, Json(new JsonObject()), CreateOnly)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await _v1.GetAsync(address.Url)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    // --- cmi5 (cmi5 spec §10, §11): ordinary documents, in the way an LMS and an AU use them ---

    [Fact]
    public async Task The_cmi5_launch_flow_LMS_writes_LaunchData_per_registration_and_the_AU_reads_it_with_its_ETag()
    {
        var learner = NewAgent("Anna Andersson");
        var au = NewActivityId();
        var registration = Guid.NewGuid().ToString();
        var launchData = new JsonObject
        {
            ["contextTemplate"] = new JsonObject
            {
                ["registration"] = registration,
                ["contextActivities"] = new JsonObject { ["grouping"] = new JsonArray(new JsonObject { ["id"] = au }) },
                ["extensions"] = new JsonObject { ["https://w3id.org/xapi/cmi5/context/extensions/sessionid"] = Guid.NewGuid().ToString() },
            },
            ["launchMode"] = "Normal",
            ["moveOn"] = "CompletedAndPassed",
            ["masteryScore"] = 0.8,
        };
        var state = "/xapi/activities/state?activityId=" + Uri.EscapeDataString(au) + "&agent=" + Q(learner)
            + "&registration=" + registration + "&stateId=LMS.LaunchData";

        // The LMS, before launch (1.0.3 is what cmi5 speaks).
        (await _v1.PutAsync(state, Json(launchData))).StatusCode.Should().Be(HttpStatusCode.NoContent);

        // The AU, after launch: the learner as the launch URL named it (name included).
        var response = await _v1.GetAsync(state);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.ETag.Should().NotBeNull();
        JsonNode.DeepEquals(JsonNode.Parse(await response.Content.ReadAsStringAsync()), launchData).Should().BeTrue();

        // Another registration of the same AU and learner has its own LaunchData.
        (await _v1.GetAsync(state.Replace(registration, Guid.NewGuid().ToString(), StringComparison.Ordinal))).StatusCode.Should().Be(HttpStatusCode.NotFound);

        // The LMS rewrites LaunchData for a relaunch, conditional on what it wrote.
        launchData["launchMode"] = "Review";
        (await Send(_v1, HttpMethod.Put, state, Json(launchData), ("If-Match", response.Headers.ETag!.Tag))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        JsonNode.Parse(await _v1.GetStringAsync(state))!["launchMode"]!.GetValue<string>().Should().Be("Review");

        // cmi5LearnerPreferences: an Agent Profile document the AU reads.
        var preferences = "/xapi/agents/profile?agent=" + Q(learner) + "&profileId=cmi5LearnerPreferences";
        (await _v1.GetAsync(preferences)).StatusCode.Should().Be(HttpStatusCode.NotFound, "no preferences yet: the AU uses its defaults");
        (await Send(_v1, HttpMethod.Put, preferences, Json(new JsonObject { ["languagePreference"] = "sv-SE,en-US", ["audioPreference"] = "on" }), CreateOnly))
            .StatusCode.Should().Be(HttpStatusCode.NoContent);
        var read = await _v1.GetAsync(preferences);
        read.StatusCode.Should().Be(HttpStatusCode.OK);
        JsonNode.Parse(await read.Content.ReadAsStringAsync())!["languagePreference"]!.GetValue<string>().Should().Be("sv-SE,en-US");
    }
}

public sealed class DocumentTestsOnSqlite(SqliteLrs lrs) : DocumentTests(lrs), IClassFixture<SqliteLrs>;
public sealed class DocumentTestsOnPostgres(PostgresLrs lrs) : DocumentTests(lrs), IClassFixture<PostgresLrs>;

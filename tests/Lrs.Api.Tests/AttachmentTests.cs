using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>One part after the statements in a multipart/mixed body; null headers are left out.</summary>
public sealed record Part(byte[] Data, string? Hash, string? ContentType = "text/plain", string? Encoding = "binary")
{
    public static Part For(byte[] data, string contentType = "text/plain") => new(data, Sha256(data), contentType);
    public static Part For(string text) => For(System.Text.Encoding.UTF8.GetBytes(text));
    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
}

/// <summary>Builders for multipart/mixed statement requests and readers of multipart answers.</summary>
public static class Multipart
{
    public const string Boundary = "xapi-test-boundary-7d41";
    public const string SignatureUsage = "http://adlnet.gov/expapi/attachments/signature";

    public static JsonObject Attachment(string sha2, int length, string contentType = "text/plain", string? fileUrl = null, string usageType = "http://example.com/attachment-usage/test")
    {
        var a = new JsonObject
        {
            ["usageType"] = usageType,
            ["display"] = new JsonObject { ["sv-SE"] = "Intyg", ["en-US"] = "Certificate" },
            ["contentType"] = contentType,
            ["length"] = length,
            ["sha2"] = sha2,
        };
        if (fileUrl is not null) a["fileUrl"] = fileUrl;
        return a;
    }

    public static JsonObject With(this JsonObject statement, params Part[] parts)
    {
        statement["attachments"] = new JsonArray([.. parts.Select(p => (JsonNode)Attachment(p.Hash!, p.Data.Length, p.ContentType ?? "text/plain"))]);
        return statement;
    }

    /// <summary>The raw body: the statements as the first part (with the given content type), then each part.</summary>
    public static byte[] Body(JsonNode statements, IEnumerable<Part> parts, string firstType = "application/json", string boundary = Boundary)
    {
        var body = new MemoryStream();
        void Write(string text) => body.Write(Encoding.UTF8.GetBytes(text));
        Write($"--{boundary}\r\nContent-Type: {firstType}\r\n\r\n{statements.ToJsonString()}\r\n");
        foreach (var part in parts)
        {
            Write($"--{boundary}\r\n");
            if (part.ContentType is not null) Write($"Content-Type: {part.ContentType}\r\n");
            if (part.Encoding is not null) Write($"Content-Transfer-Encoding: {part.Encoding}\r\n");
            if (part.Hash is not null) Write($"X-Experience-API-Hash: {part.Hash}\r\n");
            Write("\r\n");
            body.Write(part.Data);
            Write("\r\n");
        }
        Write($"--{boundary}--\r\n");
        return body.ToArray();
    }

    public static ByteArrayContent Content(byte[] body, string contentType = $"multipart/mixed; boundary={Boundary}")
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    public static ByteArrayContent Content(JsonNode statements, params Part[] parts) => Content(Body(statements, parts));

    /// <summary>A multipart/mixed answer: the JSON of the first part, and the data of the others by their hash header.</summary>
    public static async Task<(JsonNode Json, Dictionary<string, (string ContentType, byte[] Data)> Parts)> ReadAsync(HttpResponseMessage response)
    {
        var type = MediaTypeHeaderValue.Parse(response.Content.Headers.ContentType!.ToString());
        type.MediaType.Should().Be("multipart/mixed");
        var boundary = type.Parameters.Single(p => p.Name == "boundary").Value!.Trim('"');
        var reader = new MultipartReader(boundary, await response.Content.ReadAsStreamAsync());
        var first = (await reader.ReadNextSectionAsync())!;
        first.ContentType.Should().Be("application/json");
        var json = JsonNode.Parse(await new StreamReader(first.Body).ReadToEndAsync())!;
        var parts = new Dictionary<string, (string, byte[])>();
        while (await reader.ReadNextSectionAsync() is { } section)
        {
            section.Headers!["Content-Transfer-Encoding"].ToString().Should().Be("binary");
            var data = new MemoryStream();
            await section.Body.CopyToAsync(data);
            parts.Add(section.Headers["X-Experience-API-Hash"].ToString(), (section.ContentType!, data.ToArray()));
        }
        return (json, parts);
    }

    /// <summary>A compact JWS (RS256/384/512) of <paramref name="payload"/>; with the certificate in x5c when given.</summary>
    public static string Sign(JsonNode payload, RSA key, string alg = "RS256", X509Certificate2? certificate = null)
    {
        static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = new JsonObject { ["alg"] = alg };
        if (certificate is not null) header["x5c"] = new JsonArray(Convert.ToBase64String(certificate.RawData));
        var input = B64(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + B64(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var hash = alg switch { "RS384" => HashAlgorithmName.SHA384, "RS512" => HashAlgorithmName.SHA512, _ => HashAlgorithmName.SHA256 };
        return input + "." + B64(key.SignData(Encoding.ASCII.GetBytes(input), hash, RSASignaturePadding.Pkcs1));
    }

    public static X509Certificate2 Certificate(RSA key) =>
        new CertificateRequest("CN=Lärcentrum Skellefteå", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

    /// <summary>The signed statement as sent: the payload plus the signature attachment, and the JWS as its part.</summary>
    public static (JsonObject Statement, Part Part) Signed(JsonObject payload, string jws, string contentType = "application/octet-stream")
    {
        var data = Encoding.ASCII.GetBytes(jws);
        var statement = (JsonObject)payload.DeepClone();
        statement["attachments"] = new JsonArray(Attachment(Part.Sha256(data), data.Length, contentType, usageType: SignatureUsage));
        return (statement, Part.For(data, contentType));
    }
}

public abstract class AttachmentTests(LrsFixture lrs)
{
    private readonly HttpClient _client = lrs.Client();
    private static readonly RSA Key = RSA.Create(2048);

    private async Task<HttpResponseMessage> PostAsync(HttpContent content, HttpClient? client = null) =>
        await (client ?? _client).PostAsync("/xapi/statements", content);

    private async Task<string> StoredIdAsync(HttpContent content)
    {
        var response = await PostAsync(content);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)![0]!.GetValue<string>();
    }

    private async Task ShouldNotBeStoredAsync(string id) =>
        (await _client.GetAsync($"/xapi/statements?statementId={id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

    [Fact]
    public async Task A_statement_posted_with_one_attachment_part_is_returned_with_its_raw_bytes_under_its_hash_XAPI_00167()
    {
        var data = new byte[] { 0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x0d, 0x0a, 0x2d, 0x2d, 0x80 };
        var part = Part.For(data, "application/pdf");
        var id = await StoredIdAsync(Multipart.Content(Statement().With(part), part));

        var response = await _client.GetAsync($"/xapi/statements?statementId={id}&attachments=true");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var (json, parts) = await Multipart.ReadAsync(response);
        json["id"]!.GetValue<string>().Should().Be(id);
        parts.Should().ContainKey(part.Hash!);
        parts[part.Hash!].Data.Should().Equal(data);
        parts[part.Hash!].ContentType.Should().Be("application/pdf");
    }

    [Fact]
    public async Task Two_attachments_of_a_statement_come_back_as_two_parts_in_a_query_with_attachments()
    {
        var actor = NewAgent();
        var first = Part.For("Intyg: basala hygienrutiner, godkänd.");
        var second = Part.For("Närvarolista APT, Metodrum Upplands Väsby.");
        await StoredIdAsync(Multipart.Content(Statement(actor).With(first, second), first, second));

        var response = await _client.GetAsync($"/xapi/statements?agent={Q(actor)}&attachments=true");
        var (json, parts) = await Multipart.ReadAsync(response);
        json["statements"]!.AsArray().Should().ContainSingle();
        parts.Keys.Should().BeEquivalentTo(first.Hash, second.Hash);
        parts[second.Hash!].Data.Should().Equal(second.Data);
    }

    [Fact]
    public async Task The_same_content_in_two_statements_is_stored_once_and_served_for_both()
    {
        var actor = NewAgent();
        var part = Part.For($"Delegeringsbeslut läkemedel {Guid.NewGuid()}");
        var withData = await StoredIdAsync(Multipart.Content(Statement(actor).With(part), part));
        // The second statement only names the hash (with a fileUrl): the data the LRS holds under it is served.
        var second = Statement(actor);
        second["attachments"] = new JsonArray(Multipart.Attachment(part.Hash!, part.Data.Length, fileUrl: "https://lms.example.se/files/beslut.txt"));
        var byReference = (await _client.PostAsync(second))[0];

        foreach (var id in new[] { withData, byReference })
        {
            var (_, parts) = await Multipart.ReadAsync(await _client.GetAsync($"/xapi/statements?statementId={id}&attachments=true"));
            parts[part.Hash!].Data.Should().Equal(part.Data);
        }
        var (json, all) = await Multipart.ReadAsync(await _client.GetAsync($"/xapi/statements?agent={Q(actor)}&attachments=true"));
        json["statements"]!.AsArray().Should().HaveCount(2);
        all.Should().ContainSingle("a page carries each distinct attachment once");
    }

    [Fact]
    public async Task Without_attachments_true_the_answer_is_plain_json_XAPI_00161()
    {
        var part = Part.For("Reflektion efter HLR-utbildning.");
        var id = await StoredIdAsync(Multipart.Content(Statement().With(part), part));
        foreach (var query in new[] { "", "&attachments=false" })
        {
            var response = await _client.GetAsync($"/xapi/statements?statementId={id}{query}");
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        }
    }

    [Fact]
    public async Task A_statement_with_a_fileUrl_attachment_is_accepted_as_application_json_XAPI_00127()
    {
        var statement = Statement();
        statement["attachments"] = new JsonArray(Multipart.Attachment(new string('a', 64), 27, fileUrl: "https://lms.example.se/files/intyg.pdf"));
        var ids = await _client.PostAsync(statement);
        var (json, parts) = await Multipart.ReadAsync(await _client.GetAsync($"/xapi/statements?statementId={ids[0]}&attachments=true"));
        json["attachments"]![0]!["fileUrl"]!.GetValue<string>().Should().Be("https://lms.example.se/files/intyg.pdf");
        parts.Should().BeEmpty("the LRS holds no data for that hash");
    }

    [Fact]
    public async Task Multipart_without_attachment_parts_is_accepted()
    {
        var statement = Statement();
        var id = await StoredIdAsync(Multipart.Content(statement));
        (await _client.GetAsync($"/xapi/statements?statementId={id}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Put_takes_a_multipart_statement_too()
    {
        var id = Guid.NewGuid().ToString();
        var part = Part.For("Underskrift handledare.");
        var response = await _client.PutAsync($"/xapi/statements?statementId={id}", Multipart.Content(Statement().With(part), part));
        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        var (_, parts) = await Multipart.ReadAsync(await _client.GetAsync($"/xapi/statements?statementId={id}&attachments=true"));
        parts.Should().ContainKey(part.Hash!);
    }

    [Fact]
    public async Task A_part_matching_an_attachment_with_a_sha512_hash_is_accepted()
    {
        var data = Encoding.UTF8.GetBytes("SHA-512 attachment");
        var part = new Part(data, Convert.ToHexStringLower(SHA512.HashData(data)));
        var id = await StoredIdAsync(Multipart.Content(Statement().With(part), part));
        var (_, parts) = await Multipart.ReadAsync(await _client.GetAsync($"/xapi/statements?statementId={id}&attachments=true"));
        parts[part.Hash!].Data.Should().Equal(data);
    }

    // Each malformation with a fragment of the message that names it.
    public static TheoryData<string, string> MalformedCases() => new()
    {
        { "no boundary in the content type (XAPI-00131)", "boundary" },
        { "multipart/form-data (XAPI-00127)", "multipart/mixed" },
        { "first part not application/json (XAPI-00134)", "first part" },
        { "statements split across two parts (XAPI-00133)", "X-Experience-API-Hash" },
        { "part without X-Experience-API-Hash (XAPI-00132)", "X-Experience-API-Hash" },
        { "hash header not matching the content (XAPI-00132)", "different hash" },
        { "hash header of no attachment (XAPI-00128)", "belongs to no attachment" },
        { "part without Content-Transfer-Encoding binary (XAPI-00135)", "Content-Transfer-Encoding" },
        { "part without Content-Type", "Content-Type" },
        { "attachment with neither fileUrl nor part (XAPI-00129)", "neither a fileUrl nor" },
        { "attachment without fileUrl as application/json", "neither a fileUrl nor" },
        { "a missing boundary before a part (XAPI-00130)", "JSON" },
    };

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public async Task A_malformed_multipart_request_is_400_and_stores_nothing(string malformation, string named)
    {
        var id = Guid.NewGuid().ToString();
        var part = Part.For($"Bilaga {id}");
        var statement = Statement(id: id).With(part);
        HttpContent content = malformation switch
        {
            var m when m.StartsWith("no boundary") => Multipart.Content(Multipart.Body(statement, [part]), "multipart/mixed"),
            var m when m.StartsWith("multipart/form-data") => Multipart.Content(Multipart.Body(statement, [part]), $"multipart/form-data; boundary={Multipart.Boundary}"),
            var m when m.StartsWith("first part") => Multipart.Content(Multipart.Body(statement, [part], firstType: "text/plain")),
            var m when m.StartsWith("statements split") => Multipart.Content(Multipart.Body(statement,
                [new Part(Encoding.UTF8.GetBytes(Statement().ToJsonString()), null, "application/json", null), part])),
            var m when m.StartsWith("part without X-") => Multipart.Content(statement, part with { Hash = null }),
            var m when m.StartsWith("hash header not") => Multipart.Content(statement, part with { Data = Encoding.UTF8.GetBytes("changed") }),
            var m when m.StartsWith("hash header of no") => Multipart.Content(statement, part, Part.For("an extra part")),
            var m when m.StartsWith("part without Content-Transfer") => Multipart.Content(statement, part with { Encoding = "base64" }),
            var m when m.StartsWith("part without Content-Type") => Multipart.Content(statement, part with { ContentType = null }),
            var m when m.StartsWith("attachment with neither") => Multipart.Content(statement),
            var m when m.StartsWith("attachment without fileUrl") => Json(statement),
            var m when m.StartsWith("a missing boundary") => Multipart.Content(Encoding.UTF8.GetBytes(
                $"--{Multipart.Boundary}\r\nContent-Type: application/json\r\n\r\n{statement.ToJsonString()}\r\n" +
                $"Content-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {part.Hash}\r\n\r\nBilaga {id}\r\n--{Multipart.Boundary}--\r\n")),
            _ => throw new ArgumentOutOfRangeException(nameof(malformation)),
        };

        var response = await PostAsync(content);
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!.GetValue<string>().Should().Contain(named);
        await ShouldNotBeStoredAsync(id);
    }

    [Fact]
    public async Task A_batch_with_one_attachment_missing_its_part_stores_none_of_the_statements()
    {
        var good = Part.For("Del 1");
        var missing = Part.For("Del 2");
        var first = Statement(id: Guid.NewGuid().ToString()).With(good);
        var second = Statement(id: Guid.NewGuid().ToString()).With(missing);
        var response = await PostAsync(Multipart.Content(new JsonArray(first, second), good));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        await ShouldNotBeStoredAsync(first["id"]!.GetValue<string>());
        await ShouldNotBeStoredAsync(second["id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("RS384")]
    [InlineData("RS512")]
    public async Task A_signed_statement_with_a_valid_x5c_signature_is_stored_XAPI_00117(string alg)
    {
        var payload = Statement(id: Guid.NewGuid().ToString());
        using var certificate = Multipart.Certificate(Key);
        var (statement, part) = Multipart.Signed(payload, Multipart.Sign(payload, Key, alg, certificate));

        var id = await StoredIdAsync(Multipart.Content(statement, part));
        var (_, parts) = await Multipart.ReadAsync(await _client.GetAsync($"/xapi/statements?statementId={id}&attachments=true"));
        Encoding.ASCII.GetString(parts[part.Hash!].Data).Should().Be(Encoding.ASCII.GetString(part.Data));
    }

    [Fact]
    public async Task A_signed_statement_without_x5c_is_stored_when_its_payload_matches()
    {
        var payload = Statement(id: Guid.NewGuid().ToString());
        var (statement, part) = Multipart.Signed(payload, Multipart.Sign(payload, Key));
        (await PostAsync(Multipart.Content(statement, part))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    // Each problem with a fragment of the message that names it.
    public static TheoryData<string, string> BadSignatures() => new()
    {
        { "payload that differs from the statement (XAPI-00116)", "differs" },
        { "payload changed after signing", "does not verify" },
        { "signed with another key than the x5c certificate's", "does not verify" },
        { "HS256 algorithm (XAPI-00117)", "RS256" },
        { "malformed JWS (XAPI-00115)", "compact" },
        { "payload not JSON (XAPI-00116)", "payload" },
        { "signature attachment not application/octet-stream (XAPI-00115)", "application/octet-stream" },
        { "signature attachment without its part (XAPI-00115)", "neither a fileUrl nor" },
        { "signature attachment with a fileUrl instead of its part (XAPI-00115)", "a fileUrl is not enough" },
    };

    [Theory]
    [MemberData(nameof(BadSignatures))]
    public async Task A_statement_with_a_bad_signature_is_400_and_stores_nothing(string problem, string named)
    {
        var id = Guid.NewGuid().ToString();
        var payload = Statement(id: id);
        var changed = (JsonObject)payload.DeepClone();
        changed["verb"] = new JsonObject { ["id"] = Passed };
        using var certificate = Multipart.Certificate(Key);
        using var otherKey = RSA.Create(2048);
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        var sent = payload;
        var jws = Multipart.Sign(payload, Key, certificate: certificate);
        var contentType = "application/octet-stream";
        switch (problem.Split(' ')[0])
        {
            case "payload" when problem.Contains("differs"):
                jws = Multipart.Sign(changed, Key, certificate: certificate);
                break;
            case "payload" when problem.Contains("after signing"):
                // The statement and the payload agree, but the payload is not what the certificate's key signed.
                var segments = jws.Split('.');
                jws = $"{segments[0]}.{B64(changed.ToJsonString())}.{segments[2]}";
                sent = changed;
                break;
            case "payload":
                jws = $"{B64("""{"alg":"RS256"}""")}.{B64(payload.ToJsonString().Replace("\"actor\"", "'actor\""))}.{B64("sig")}";
                break;
            case "signed":
                jws = Multipart.Sign(payload, otherKey, certificate: certificate);
                break;
            case "HS256":
                jws = Multipart.Sign(payload, Key, "HS256");
                break;
            case "malformed":
                jws = "this is not a JWS";
                break;
            case "signature" when problem.Contains("octet-stream"):
                contentType = "text/plain";
                break;
        }
        var (statement, part) = Multipart.Signed(sent, jws, contentType);
        if (problem.Contains("with a fileUrl")) statement["attachments"]![0]!["fileUrl"] = "https://lms.example.se/signatures/1.jws";
        var content = problem.Contains("without its part") || problem.Contains("with a fileUrl") ? Multipart.Content(statement) : Multipart.Content(statement, part);

        var response = await PostAsync(content);
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!.GetValue<string>().Should().Contain(named);
        await ShouldNotBeStoredAsync(id);
    }
}

public sealed class AttachmentTestsOnSqlite(SqliteLrs lrs) : AttachmentTests(lrs), IClassFixture<SqliteLrs>;
public sealed class AttachmentTestsOnPostgres(PostgresLrs lrs) : AttachmentTests(lrs), IClassFixture<PostgresLrs>;

/// <summary>An LRS that accepts at most 1 KiB of attachment data per request.</summary>
public sealed class SmallAttachmentLimit : ILrsVariant
{
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { ["Lrs:Xapi:MaxAttachmentBytes"] = "1024" };
}

public abstract class AttachmentLimitTests(LrsFixture lrs)
{
    private readonly HttpClient _client = lrs.Client();

    [Fact]
    public async Task Attachment_data_over_the_configured_limit_is_413_with_a_json_message_and_stores_nothing()
    {
        var id = Guid.NewGuid().ToString();
        var first = Part.For(new byte[700]);
        var second = Part.For(Enumerable.Repeat((byte)1, 700).ToArray());
        var response = await _client.PostAsync("/xapi/statements", Multipart.Content(Statement(id: id).With(first, second), first, second));

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!.GetValue<string>().Should().Contain("1024");
        (await _client.GetAsync($"/xapi/statements?statementId={id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Attachment_data_within_the_limit_is_accepted()
    {
        var part = Part.For(new byte[1000]);
        var response = await _client.PostAsync("/xapi/statements", Multipart.Content(Statement().With(part), part));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }
}

public sealed class AttachmentLimitTestsOnSqlite(SqliteLrs<SmallAttachmentLimit> lrs) : AttachmentLimitTests(lrs), IClassFixture<SqliteLrs<SmallAttachmentLimit>>;
public sealed class AttachmentLimitTestsOnPostgres(PostgresLrs<SmallAttachmentLimit> lrs) : AttachmentLimitTests(lrs), IClassFixture<PostgresLrs<SmallAttachmentLimit>>;

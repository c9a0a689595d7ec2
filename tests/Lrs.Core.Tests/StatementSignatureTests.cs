using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Core.Xapi;

namespace Lrs.Core.Tests;

public class StatementSignatureTests
{
    private static readonly RSA Key = RSA.Create(2048);
    private static readonly RSA OtherKey = RSA.Create(2048);

    private static JsonObject Statement() => JsonNode.Parse("""
        {
          "id": "7f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b",
          "actor": {"objectType": "Agent", "name": "Anna", "mbox": "mailto:anna@example.se"},
          "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
          "object": {"objectType": "Activity", "id": "https://lms.example.se/kurs/hlr"},
          "result": {"success": true}
        }
        """)!.AsObject();

    // What the client sends: the signed statement plus the attachment that carries the signature.
    private static JsonObject Sent(JsonObject signed)
    {
        var sent = (JsonObject)signed.DeepClone();
        sent["attachments"] = new JsonArray(new JsonObject
        {
            ["usageType"] = StatementSignature.UsageType,
            ["display"] = new JsonObject { ["en-US"] = "signature" },
            ["contentType"] = StatementSignature.ContentType,
            ["length"] = 1,
            ["sha2"] = new string('a', 64),
        });
        return sent;
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static X509Certificate2 Certificate(RSA key) =>
        new CertificateRequest("CN=Metodikum Solna", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

    internal static string Sign(JsonNode payload, string alg = "RS256", RSA? key = null, X509Certificate2? certificate = null)
    {
        var header = new JsonObject { ["alg"] = alg };
        if (certificate is not null) header["x5c"] = new JsonArray(Convert.ToBase64String(certificate.RawData));
        var signingInput = B64(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + B64(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var hash = alg switch { "RS384" => HashAlgorithmName.SHA384, "RS512" => HashAlgorithmName.SHA512, _ => HashAlgorithmName.SHA256 };
        var signature = (key ?? Key).SignData(Encoding.ASCII.GetBytes(signingInput), hash, RSASignaturePadding.Pkcs1);
        return signingInput + "." + B64(signature);
    }

    private static string? Verify(string jws, JsonObject sent, XapiVersion version = XapiVersion.V200) =>
        StatementSignature.Verify(Encoding.UTF8.GetBytes(jws), sent, version);

    [Theory]
    [InlineData("RS256")]
    [InlineData("RS384")]
    [InlineData("RS512")]
    public void A_signature_with_an_RS_algorithm_and_the_statement_as_payload_is_accepted_XAPI_00117(string alg)
    {
        var statement = Statement();
        using var certificate = Certificate(Key);
        Verify(Sign(statement, alg, certificate: certificate), Sent(statement)).Should().BeNull();
    }

    [Fact]
    public void Without_x5c_the_signature_is_checked_for_form_and_payload_only()
    {
        var statement = Statement();
        Verify(Sign(statement), Sent(statement)).Should().BeNull();
    }

    [Fact]
    public void A_payload_without_the_LRS_set_properties_matches_the_statement_that_has_them()
    {
        var statement = Statement();
        var payload = (JsonObject)statement.DeepClone();
        payload.Remove("id");
        var sent = Sent(statement);
        sent["timestamp"] = "2026-03-04T09:41:00Z";
        sent["version"] = "2.0.0";
        Verify(Sign(payload), sent).Should().BeNull();
    }

    [Fact]
    public void A_payload_that_differs_from_the_statement_is_rejected_XAPI_00116()
    {
        var statement = Statement();
        var sent = Sent(statement);
        sent["result"]!["success"] = false;
        Verify(Sign(statement), sent).Should().Contain("differs");
    }

    [Fact]
    public void A_payload_with_another_id_is_rejected()
    {
        var statement = Statement();
        var sent = Sent(statement);
        sent["id"] = Guid.NewGuid().ToString();
        Verify(Sign(statement), sent).Should().Contain("id");
    }

    [Fact]
    public void A_payload_that_is_not_JSON_is_rejected_XAPI_00116()
    {
        var statement = Statement();
        var header = B64(Encoding.UTF8.GetBytes("""{"alg":"RS256"}"""));
        var payload = B64(Encoding.UTF8.GetBytes(statement.ToJsonString().Replace("\"actor\"", "'actor\"")));
        Verify($"{header}.{payload}.{B64([1, 2, 3])}", Sent(statement)).Should().NotBeNull();
    }

    [Fact]
    public void A_tampered_payload_fails_the_x5c_check()
    {
        var statement = Statement();
        using var certificate = Certificate(Key);
        var parts = Sign(statement, certificate: certificate).Split('.');
        var changed = (JsonObject)statement.DeepClone();
        changed["result"]!["success"] = false;
        var tampered = $"{parts[0]}.{B64(Encoding.UTF8.GetBytes(changed.ToJsonString()))}.{parts[2]}";
        Verify(tampered, Sent(changed)).Should().Contain("does not verify");
    }

    [Fact]
    public void A_signature_by_another_key_than_the_x5c_certificates_is_rejected()
    {
        var statement = Statement();
        using var certificate = Certificate(OtherKey);
        Verify(Sign(statement, key: Key, certificate: certificate), Sent(statement)).Should().Contain("does not verify");
    }

    [Theory]
    [InlineData("HS256")]
    [InlineData("none")]
    [InlineData("ES256")]
    public void Algorithms_other_than_RS256_RS384_RS512_are_rejected_XAPI_00117(string alg)
    {
        var statement = Statement();
        Verify(Sign(statement, alg), Sent(statement)).Should().Contain("RS256");
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a jws")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("!!!.???.***")]
    public void Malformed_signatures_are_rejected_XAPI_00115(string jws) =>
        Verify(jws, Sent(Statement())).Should().NotBeNull();

    [Fact]
    public void The_JSON_serialization_is_rejected_under_2_0_and_read_under_1_0_3()
    {
        var statement = Statement();
        var parts = Sign(statement).Split('.');
        var flattened = new JsonObject { ["protected"] = parts[0], ["payload"] = parts[1], ["signature"] = parts[2] }.ToJsonString();
        Verify(flattened, Sent(statement), XapiVersion.V200).Should().Contain("compact");
        Verify(flattened, Sent(statement), XapiVersion.V103).Should().BeNull();
    }

    [Fact]
    public void Only_attachments_with_the_signature_usage_type_are_signatures()
    {
        StatementSignature.IsSignature(JsonElement.Parse(Sent(Statement())["attachments"]![0]!.ToJsonString())).Should().BeTrue();
        StatementSignature.IsSignature(JsonElement.Parse("""{"usageType":"http://example.com/attachment-usage/test"}""")).Should().BeFalse();
        StatementSignature.IsSignature(JsonElement.Parse("null")).Should().BeFalse();
    }
}

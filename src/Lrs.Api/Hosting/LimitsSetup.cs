using System.Globalization;
using System.Threading.RateLimiting;
using Lrs.Api.Auth;
using Lrs.Api.Xapi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Lrs.Api.Hosting;

/// <summary>
/// Every request is bounded: a token bucket per credential (429 with Retry-After) and a body size limit (413).
/// Both are read from <see cref="LimitOptions"/> when first used.
/// </summary>
public static class LimitsSetup
{
    public static IServiceCollection AddLrsLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<LrsOptions>>((options, lrs) =>
        {
            var limits = lrs.Value.Limits;
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                // Unauthenticated requests are not limited here: they end in 401 before doing any work, and failed
                // logins are limited per client address before their secret is hashed (Auth/FailedLogins).
                var credential = context.User.FindFirst(LrsClaims.Credential)?.Value;
                if (credential is null || limits.RequestsPerSecond <= 0) return RateLimitPartition.GetNoLimiter("");
                return RateLimitPartition.GetTokenBucketLimiter(credential, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, limits.Burst),
                    TokensPerPeriod = limits.RequestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            options.OnRejected = async (context, ct) =>
            {
                context.HttpContext.RequestServices.GetRequiredService<LrsMetrics>().Throttled(RefusalReasons.RateLimit);
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await XapiErrors.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"Too many requests for this credential; try again in {retryAfter} s.");
            };
        });
        return services;
    }

    /// <summary>
    /// The body size limit, enforced by the application so that it holds on any server: 413 at once when the
    /// declared length is too large, and when a chunked body grows past it while being read. Multipart
    /// statements may carry <see cref="XapiOptions.MaxAttachmentBytes"/> of attachment data on top.
    /// </summary>
    public static IApplicationBuilder UseLrsBodyLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var options = context.RequestServices.GetRequiredService<IOptions<LrsOptions>>().Value;
        var request = context.Request;
        var limit = options.Limits.MaxRequestBytes;
        if (request.Path.StartsWithSegments("/xapi/statements") && XapiProtocol.HasMediaType(request, "multipart/mixed"))
            limit += options.Xapi.MaxAttachmentBytes;

        if (request.ContentLength > limit)
        {
            await XapiErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Request too large", $"The request body is larger than this LRS accepts ({limit} bytes).");
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } serverLimit) serverLimit.MaxRequestBodySize = limit;
        request.Body = new LimitedReadStream(request.Body, limit);
        await next(context);
    });

    private sealed class LimitedReadStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => Count(await inner.ReadAsync(buffer, ct));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => Count(await inner.ReadAsync(buffer.AsMemory(offset, count), ct));

        private int Count(int n)
        {
            _read += n;
            if (_read > limit) throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

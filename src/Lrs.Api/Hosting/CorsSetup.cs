using Lrs.Core.Xapi;
using Microsoft.AspNetCore.Cors.Infrastructure;

namespace Lrs.Api.Hosting;

/// <summary>
/// CORS for content running in browsers (e-learning packages, cmi5 AUs, H5P, video players). The default
/// allows every origin: the LRS never authenticates by cookie, so a page elsewhere gains nothing it did not
/// already hold (the key and secret it sends itself). <c>Lrs:Cors:AllowedOrigins</c> narrows it to a list.
/// </summary>
public static class CorsSetup
{
    public static IServiceCollection AddLrsCors(this IServiceCollection services)
    {
        services.AddCors();
        // Read when the options are first used, so that every configuration source has been applied.
        services.AddOptions<CorsOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            var origins = configuration.GetSection("Lrs:Cors:AllowedOrigins").Get<string[]>() ?? ["*"];
            options.AddDefaultPolicy(policy =>
            {
                if (origins.Contains("*")) policy.AllowAnyOrigin();
                else policy.WithOrigins(origins);
                policy.WithMethods("GET", "HEAD", "PUT", "POST", "DELETE")
                    .WithHeaders("Authorization", XapiVersions.Header, "Content-Type", "If-Match", "If-None-Match", "Accept", "Accept-Language")
                    .WithExposedHeaders("ETag", "Last-Modified", "Content-Type", XapiVersions.Header, "X-Experience-API-Consistent-Through")
                    .SetPreflightMaxAge(TimeSpan.FromHours(1));
            });
        });
        return services;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AudienceTrends.Core;

/// <summary>
/// Binds an options class to its configuration section and validates it once, at start-up, listing every problem
/// with the full name of the setting (<c>Intake:MaxAudiences</c>) so a misconfigured app fails fast and clearly.
/// </summary>
public static class OptionsRegistration
{
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(
        this IServiceCollection services,
        IConfiguration configuration,
        string sectionName,
        Func<TOptions, IEnumerable<string>> validate)
        where TOptions : class
    {
        services.AddSingleton<IValidateOptions<TOptions>>(new SectionValidator<TOptions>(sectionName, validate));
        return services.AddOptions<TOptions>().Bind(configuration.GetSection(sectionName)).ValidateOnStart();
    }

    private sealed class SectionValidator<TOptions>(string sectionName, Func<TOptions, IEnumerable<string>> validate)
        : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            var failures = validate(options).Select(f => $"{sectionName}:{f}").ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}

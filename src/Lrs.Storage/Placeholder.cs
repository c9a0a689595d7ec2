namespace Lrs.Storage; internal static class Placeholder {}

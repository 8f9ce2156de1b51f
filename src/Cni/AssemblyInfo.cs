// The plugin drives Linux network namespaces, netlink and /proc/sys: it runs on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

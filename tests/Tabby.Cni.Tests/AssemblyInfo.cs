// The plugin under test is Linux-only (netlink, namespaces, /proc/sys); so are its tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// The guest's interfaces (netdevice(7), rtnetlink(7), getifaddrs(3), getaddrinfo(3)):
// only lo, with 127.0.0.1/8 and ::1/128, up and a loopback; glibc's getifaddrs reads it
// through a NETLINK_ROUTE socket, if_nametoindex and SIOCGIFCONF through ioctls, and
// getaddrinfo("localhost") finds it in /etc/hosts (a static program's NSS reads only
// files). Written from the man pages: qemu would show the host's interfaces.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
	struct ifaddrs *ifs;
	if (getifaddrs(&ifs) != 0) {
		printf("getifaddrs: %s\n", strerrorname_np(errno));
		return 1;
	}
	for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
		char txt[64] = "-";
		int fam = i->ifa_addr ? i->ifa_addr->sa_family : -1;
		if (fam == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, txt, sizeof txt);
		if (fam == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, txt, sizeof txt);
		char mask[64] = "-";
		if (fam == AF_INET && i->ifa_netmask)
			inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_netmask)->sin_addr, mask, sizeof mask);
		printf("getifaddrs: %s family %d addr %s mask %s flags %#x\n", i->ifa_name, fam, txt, mask, i->ifa_flags);
	}
	freeifaddrs(ifs);
	printf("if_nametoindex(lo) = %u, (eth0) = %u\n", if_nametoindex("lo"), if_nametoindex("eth0"));
	char name[IF_NAMESIZE] = "";
	printf("if_indextoname(1) = %s\n", if_indextoname(1, name) ? name : strerrorname_np(errno));
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq reqs[4];
	struct ifconf ifc = {.ifc_len = sizeof reqs, .ifc_req = reqs};
	printf("SIOCGIFCONF: %d, %d entries\n", ioctl(s, SIOCGIFCONF, &ifc), ifc.ifc_len / (int)sizeof(struct ifreq));
	printf("  %s %s\n", reqs[0].ifr_name, inet_ntoa(((struct sockaddr_in *)&reqs[0].ifr_addr)->sin_addr));
	struct ifreq r = {0};
	strcpy(r.ifr_name, "lo");
	ioctl(s, SIOCGIFFLAGS, &r);
	printf("SIOCGIFFLAGS lo: %#x\n", r.ifr_flags & 0xffff);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
	int e = getaddrinfo("localhost", "80", &hints, &res);
	printf("getaddrinfo(localhost): %s\n", e ? gai_strerror(e) : "ok");
	for (struct addrinfo *a = res; !e && a; a = a->ai_next) {
		char txt[64];
		void *p = a->ai_family == AF_INET ? (void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr
		                                  : (void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
		printf("  family %d %s\n", a->ai_family, inet_ntop(a->ai_family, p, txt, sizeof txt));
	}
	hints.ai_flags = AI_ADDRCONFIG;
	e = getaddrinfo("localhost", "80", &hints, &res);
	printf("getaddrinfo(localhost, AI_ADDRCONFIG): %s\n", e ? gai_strerror(e) : "ok");
	for (struct addrinfo *a = res; !e && a; a = a->ai_next)
		printf("  family %d\n", a->ai_family);
	e = getaddrinfo("example.com", "80", &hints, &res);
	printf("getaddrinfo(example.com): %s\n", e ? "fails" : "ok");
	return 0;
}

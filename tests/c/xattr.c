// Extended attributes on a file in a fresh directory: set, create/replace rules,
// size queries, ERANGE, list, remove, and an unknown namespace (xattr(7)).
#include <unistd.h>
#include <stdio.h>
#include <sys/xattr.h>
#include <errno.h>
#include <string.h>
#include <stdlib.h>
int main(){
  char tmpl[]="/tmp/xaXXXXXX"; char *d=mkdtemp(tmpl); char p[256]; snprintf(p,256,"%s/f",d);
  FILE*f=fopen(p,"w"); fclose(f);
  printf("set %d\n", setxattr(p,"user.a","hello",5,0));
  printf("create-again %d %s\n", setxattr(p,"user.a","x",1,XATTR_CREATE), strerror(errno));
  printf("replace-missing %d %s\n", setxattr(p,"user.b","x",1,XATTR_REPLACE), strerror(errno));
  char buf[64]; ssize_t n=getxattr(p,"user.a",buf,sizeof buf); printf("get %zd %.*s\n",n,(int)n,buf);
  printf("size %zd\n", getxattr(p,"user.a",NULL,0));
  printf("small %zd %s\n", getxattr(p,"user.a",buf,2), strerror(errno));
  printf("missing %zd %s\n", getxattr(p,"user.zz",buf,64), strerror(errno));
  setxattr(p,"user.b","",0,0);
  n=listxattr(p,buf,sizeof buf); printf("list %zd:",n); for(int i=0;i<n;i++) putchar(buf[i]?buf[i]:'|'); printf("\n");
  printf("remove %d\n", removexattr(p,"user.a"));
  printf("remove-again %d %s\n", removexattr(p,"user.a"), strerror(errno));
  printf("badns %d %s\n", setxattr(p,"foo.a","x",1,0), strerror(errno));
  unlink(p); rmdir(d); return 0; }

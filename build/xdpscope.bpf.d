build/xdpscope.bpf.o: bpf/xdpscope.bpf.c include/xdpscope.h bpf/maps.h \
  bpf/parse.h bpf/classify.h bpf/account.h

include/xdpscope.h:

bpf/maps.h:

bpf/parse.h:

bpf/classify.h:

bpf/account.h:

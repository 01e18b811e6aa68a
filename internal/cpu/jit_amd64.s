#include "textflag.h"
#include "funcdata.h"

// func jitCall(code uintptr, h *Hart, tlb *tlbSet, ctx *jitCtx, tag, wtag uint64)
//
// Calls the machine code at code with the hart in R15, its TLB set in R14, the
// context in R13 and the tags in R12 and R11. The code uses no stack but the return
// address this CALL pushes, and may change every general register but SP and BP:
// those that Go code after an ABI0 call relies on (R14, the g register of the
// internal ABI, and R15) are saved in the frame.
TEXT ·jitCall(SB), 0, $16-48
	NO_LOCAL_POINTERS
	MOVQ R14, 0(SP)
	MOVQ R15, 8(SP)
	MOVQ code+0(FP), AX
	MOVQ h+8(FP), R15
	MOVQ tlb+16(FP), R14
	MOVQ ctx+24(FP), R13
	MOVQ tag+32(FP), R12
	MOVQ wtag+40(FP), R11
	CALL AX
	MOVQ 0(SP), R14
	MOVQ 8(SP), R15
	RET

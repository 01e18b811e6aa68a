package kernel

import (
	"fmt"
	"strings"

	"weft/internal/abi/linux"
)

// System V message queues (msgget(2), msgsnd(2), msgrcv(2), msgctl(2)). Messages are
// kept in the order they were sent; their bytes count against the memory cap.

// msgrcv flags and msgctl commands (linux/msg.h).
const (
	MSG_NOERROR  = 0o10000
	MSG_EXCEPT   = 0o20000
	MSG_COPY     = 0o40000
	MSG_STAT     = 11
	MSG_INFO     = 12
	MSG_STAT_ANY = 13
)

// Message queue limits: Linux's defaults (/proc/sys/kernel/msgmax, msgmnb, msgmni).
const (
	MSGMAX  = 8192
	MSGMNB  = 16384
	MSGMNI  = 32000
	MSGPOOL = MSGMNI * MSGMNB / 1024 // msginfo's msgpool, in KiB
	MSGTQL  = MSGMNB
	MSGSSZ  = 16
	MSGSEG  = 0xffff
)

// Message is one queued message.
type Message struct {
	Type int64
	Text []byte
}

// MsgQueue is a message queue (struct msg_queue).
type MsgQueue struct {
	Perm                IPCPerm
	Msgs                []Message
	Cbytes              uint64 // bytes queued
	Qbytes              uint64 // the most bytes it may hold
	Stime, Rtime, Ctime int64  // last send, last receive, last change (seconds)
	LSPID, LRPID        int

	idx       int
	senders   WaitQueue // msgsnd waiting for room
	receivers WaitQueue // msgrcv waiting for a message
}

func (q *MsgQueue) perm() *IPCPerm { return &q.Perm }

// MsgGet implements msgget(2).
func (k *Kernel) MsgGet(t *Task, key int32, flags uint64) (int, error) {
	ns := k.ipcNS()
	c := &t.TG.Creds
	return ns.msg.get(c, key, flags, nil, func() (int, error) {
		q := &MsgQueue{
			Perm:   IPCPerm{Key: key, UID: c.EUID, GID: c.EGID, CUID: c.EUID, CGID: c.EGID, Mode: uint32(flags & 0o777)},
			Qbytes: MSGMNB, Ctime: k.realtimeSeconds(),
		}
		id, err := ns.msg.add(q, MSGMNI)
		if err != nil {
			return 0, err
		}
		q.idx = id % ipcMNI
		return id, nil
	})
}

func (k *Kernel) msgByID(id int) (*MsgQueue, error) {
	o, _, err := k.ipcNS().msg.lookup(id)
	if err != nil {
		return nil, err
	}
	return o.(*MsgQueue), nil
}

// waitIPC blocks a message call on q, unless IPC_NOWAIT (EAGAIN, or ENOMSG for a
// receive) or a pending signal (EINTR) says otherwise.
func waitIPC(t *Task, flags uint64, nowait error, why string, q *WaitQueue) error {
	if flags&IPC_NOWAIT != 0 {
		return nowait
	}
	if t.Interrupted() {
		return linux.EINTR
	}
	t.Call.Started = true
	return t.Block(why, q)
}

// MsgSnd implements msgsnd(2) once the message is read.
func (k *Kernel) MsgSnd(t *Task, id int, m Message, flags uint64) error {
	q, err := k.msgByID(id)
	if err != nil {
		if t.Call.Started {
			return linux.EIDRM
		}
		return err
	}
	if !ipcAllowed(&t.TG.Creds, &q.Perm, 0o222) {
		return linux.EACCES
	}
	size := uint64(len(m.Text))
	// msgsnd(2): there must be room for the bytes, and for one more message (each
	// counts as a byte against msg_qbytes).
	if q.Cbytes+size > q.Qbytes || uint64(len(q.Msgs))+1 > q.Qbytes {
		return waitIPC(t, flags, linux.EAGAIN, fmt.Sprintf("msgsnd on queue %d", id), &q.senders)
	}
	if !k.FS.Charge(int64(size) + 48) {
		return linux.ENOMEM
	}
	q.Msgs = append(q.Msgs, m)
	q.Cbytes += size
	q.LSPID, q.Stime = t.TG.PID, k.realtimeSeconds()
	q.receivers.WakeAll()
	return nil
}

// MsgRcv implements msgrcv(2) but for copying the message out: it returns the
// message (its text cut to size with MSG_NOERROR).
func (k *Kernel) MsgRcv(t *Task, id int, size uint64, typ int64, flags uint64) (Message, error) {
	q, err := k.msgByID(id)
	if err != nil {
		if t.Call.Started {
			return Message{}, linux.EIDRM
		}
		return Message{}, err
	}
	if flags&MSG_COPY != 0 && (flags&IPC_NOWAIT == 0 || flags&MSG_EXCEPT != 0) {
		return Message{}, linux.EINVAL
	}
	if !ipcAllowed(&t.TG.Creds, &q.Perm, 0o444) {
		return Message{}, linux.EACCES
	}
	i := -1
	switch {
	case flags&MSG_COPY != 0:
		if typ >= 0 && typ < int64(len(q.Msgs)) {
			i = int(typ) // msgtyp is the position of the message to copy
		}
	case typ == 0:
		if len(q.Msgs) > 0 {
			i = 0
		}
	case typ > 0:
		for j, m := range q.Msgs {
			if (m.Type == typ) != (flags&MSG_EXCEPT != 0) {
				i = j
				break
			}
		}
	default: // the first of the lowest type not above -typ
		for j, m := range q.Msgs {
			if m.Type <= -typ && (i < 0 || m.Type < q.Msgs[i].Type) {
				i = j
			}
		}
	}
	if i < 0 {
		return Message{}, waitIPC(t, flags, linux.ENOMSG, fmt.Sprintf("msgrcv on queue %d", id), &q.receivers)
	}
	m := q.Msgs[i]
	if uint64(len(m.Text)) > size {
		if flags&MSG_NOERROR == 0 {
			return Message{}, linux.E2BIG
		}
		m.Text = m.Text[:size]
	}
	if flags&MSG_COPY != 0 {
		return m, nil
	}
	// The whole message leaves the queue, whatever part of it was copied.
	whole := uint64(len(q.Msgs[i].Text))
	q.Msgs = append(q.Msgs[:i], q.Msgs[i+1:]...)
	q.Cbytes -= whole
	k.FS.Uncharge(int64(whole) + 48)
	q.LRPID, q.Rtime = t.TG.PID, k.realtimeSeconds()
	q.senders.WakeAll()
	return m, nil
}

// MsgCtlArgs is what msgctl's buffer carries for the command.
type MsgCtlArgs struct {
	Set    *IPCPerm  // IPC_SET
	Qbytes uint64    // IPC_SET's msg_qbytes
	Stat   *MsgQueue // IPC_STAT, MSG_STAT, MSG_STAT_ANY
	Info   *[8]int32 // IPC_INFO, MSG_INFO: struct msginfo
}

// MsgCtl implements msgctl(2) but for copying structures in and out.
func (k *Kernel) MsgCtl(t *Task, id, cmd int, arg *MsgCtlArgs) (int, error) {
	ns := k.ipcNS()
	c := &t.TG.Creds
	switch cmd {
	case IPC_INFO, MSG_INFO:
		info := [8]int32{MSGPOOL, MSGMNB, MSGMAX, MSGMNB, MSGMNI, MSGSSZ, MSGTQL, MSGSEG}
		if cmd == MSG_INFO {
			// msgctl(2): msgpool, msgmap and msgtql become the queues in use, the
			// messages and the bytes queued.
			var msgs, bytes int
			for _, i := range ns.msg.indexes() {
				q := ns.msg.objs[i].(*MsgQueue)
				msgs += len(q.Msgs)
				bytes += int(q.Cbytes)
			}
			info[0], info[1], info[6] = int32(ns.msg.inUse), int32(msgs), int32(bytes)
		}
		arg.Info = &info
		return max(ns.msg.maxIdx, 0), nil
	case MSG_STAT, MSG_STAT_ANY:
		o, full, err := ns.msg.byIndex(id)
		if err != nil {
			return 0, err
		}
		q := o.(*MsgQueue)
		if cmd == MSG_STAT && !ipcAllowed(c, &q.Perm, 0o444) {
			return 0, linux.EACCES
		}
		arg.Stat = q
		return full, nil
	case IPC_STAT, IPC_SET, IPC_RMID:
	default:
		return 0, linux.EINVAL
	}
	q, err := k.msgByID(id)
	if err != nil {
		return 0, err
	}
	switch cmd {
	case IPC_STAT:
		if !ipcAllowed(c, &q.Perm, 0o444) {
			return 0, linux.EACCES
		}
		arg.Stat = q
	case IPC_SET:
		if !ipcOwner(c, &q.Perm) {
			return 0, linux.EPERM
		}
		// msgctl(2): raising msg_qbytes above MSGMNB needs CAP_SYS_RESOURCE.
		if arg.Qbytes > MSGMNB && !c.Capable(CAP_SYS_RESOURCE) {
			return 0, linux.EPERM
		}
		setPerm(&q.Perm, arg.Set.UID, arg.Set.GID, arg.Set.Mode)
		q.Qbytes = arg.Qbytes
		q.Ctime = k.realtimeSeconds()
		q.senders.WakeAll() // there may be room now
	case IPC_RMID:
		if !ipcOwner(c, &q.Perm) {
			return 0, linux.EPERM
		}
		ns.msg.remove(q.idx)
		for _, m := range q.Msgs {
			k.FS.Uncharge(int64(len(m.Text)) + 48)
		}
		q.Msgs = nil
		q.senders.WakeAll() // their retries find the queue gone: EIDRM
		q.receivers.WakeAll()
	}
	return 0, nil
}

// procSysvipcMsg is /proc/sysvipc/msg.
func (k *Kernel) procSysvipcMsg() string {
	var b strings.Builder
	b.WriteString("       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n")
	ns := k.ipcNS()
	for _, i := range ns.msg.indexes() {
		q := ns.msg.objs[i].(*MsgQueue)
		p := q.Perm
		fmt.Fprintf(&b, "%10d %10d  %4o  %10d %10d %5d %5d %5d %5d %5d %5d %10d %10d %10d\n",
			p.Key, int(p.Seq)*ipcMNI+i, p.Mode, q.Cbytes, len(q.Msgs), q.LSPID, q.LRPID,
			p.UID, p.GID, p.CUID, p.CGID, q.Stime, q.Rtime, q.Ctime)
	}
	return b.String()
}

package sandbox

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// process is a started server process (the leader of its own process
// group).
//
// A monitor goroutine notices the exit of the process without reaping it
// (waitid with WNOWAIT), SIGKILLs whatever is left of its process group
// while the zombie still pins the pid (so the group id cannot have been
// reused), and only then reaps it. Signals to the process or its group are
// only sent while it is not yet reaped; see [process.signal].
type process struct {
	cmd    *exec.Cmd
	pid    int
	logOff int64         // size of the server log when the process started
	done   chan struct{} // closed once the process has exited and been reaped
	err    error         // exit status; valid after done is closed

	reapMu sync.Mutex // held while signalling and while reaping
	reaped bool
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// signal sends sig to the process (group=false) or its whole process group
// (group=true). It returns os.ErrProcessDone once the process has been
// reaped: from then on its pid may belong to an unrelated process.
func (p *process) signal(sig syscall.Signal, group bool) error {
	p.reapMu.Lock()
	defer p.reapMu.Unlock()
	if p.reaped {
		return os.ErrProcessDone
	}
	if group {
		if err := syscall.Kill(-p.pid, sig); err == nil {
			return nil
		}
	}
	return syscall.Kill(p.pid, sig)
}

// whileUnreaped runs f unless the process has been reaped, keeping it from
// being reaped (so that its pid cannot be reused) until f returns.
func (p *process) whileUnreaped(f func()) {
	p.reapMu.Lock()
	defer p.reapMu.Unlock()
	if !p.reaped {
		f()
	}
}

// monitor waits for the process to exit, kills the rest of its group and
// reaps it.
func (p *process) monitor() {
	waitExitedNoReap(p.pid)
	p.reapMu.Lock()
	_ = syscall.Kill(-p.pid, syscall.SIGKILL) // the zombie leader pins the group id
	p.err = p.cmd.Wait()
	p.reaped = true
	p.reapMu.Unlock()
	close(p.done)
}

// waitExitedNoReap blocks until child pid has exited, leaving it a zombie
// (waitid with WNOWAIT). It returns early on unexpected errors; the caller
// then reaps (and waits) with cmd.Wait.
func waitExitedNoReap(pid int) {
	const pPID = 1     // P_PID
	var info [128]byte // siginfo_t
	for {
		_, _, e := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(pid),
			uintptr(unsafe.Pointer(&info[0])), syscall.WEXITED|syscall.WNOWAIT, 0, 0)
		if e != syscall.EINTR {
			return
		}
	}
}

// spawnRequests feeds the spawner goroutine; see startCmd.
var (
	spawnOnce     sync.Once
	spawnRequests chan spawnRequest
)

type spawnRequest struct {
	cmd    *exec.Cmd
	result chan error
}

// startCmd starts cmd from a dedicated goroutine that is locked to its OS
// thread for the life of the process.
//
// The servers are started with Pdeathsig, and Linux sends the parent-death
// signal when the *thread* that forked the child exits, not the process
// (https://go.dev/issue/27505). The Go runtime terminates a thread when a
// goroutine that called runtime.LockOSThread exits without unlocking, so a
// server forked from an arbitrary goroutine's thread could be shut down in
// the middle of a test run. Forking from a thread that never exits makes
// the signal fire only when the test process itself dies.
func startCmd(cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		spawnRequests = make(chan spawnRequest)
		go spawner(spawnRequests)
	})
	req := spawnRequest{cmd: cmd, result: make(chan error, 1)}
	spawnRequests <- req
	return <-req.result
}

func spawner(reqs <-chan spawnRequest) {
	// Never unlocked, and the goroutine never returns: the thread lives as
	// long as the process.
	runtime.LockOSThread()
	for req := range reqs {
		req.result <- req.cmd.Start()
	}
}

// startProcess starts argv in its own process group with stdout/stderr
// appended to logPath.
func startProcess(argv []string, dir, logPath string, cred *syscall.Credential, deathSig syscall.Signal) (*process, error) {
	logOff := fileSize(logPath)
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open server log: %w", err)
	}
	defer logf.Close()
	if cred != nil {
		if err := logf.Chown(int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, fmt.Errorf("chown server log: %w", err)
		}
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:    true, // keep the terminal's SIGINT away from the server
		Credential: cred,
		// Shut the server down if the process that started it dies
		// (e.g. a test binary killed by a timeout). Safe only because
		// startCmd forks from a thread that never exits.
		Pdeathsig: deathSig,
	}
	if err := startCmd(cmd); err != nil {
		return nil, fmt.Errorf("start %s: %w", filepath.Base(argv[0]), err)
	}
	p := &process{cmd: cmd, pid: cmd.Process.Pid, logOff: logOff, done: make(chan struct{})}
	go p.monitor()
	return p, nil
}

// procInfo identifies a process: a pid plus its start time, so that a
// recycled pid is not mistaken for the process.
type procInfo struct {
	pid, ppid, pgrp int
	state           byte
	start           uint64 // clock ticks since boot
}

// readProcStat parses /proc/PID/stat.
func readProcStat(pid int) (procInfo, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procInfo{}, false
	}
	// "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt
	// majflt cmajflt utime stime cutime cstime priority nice threads
	// itrealvalue starttime ..."; comm may contain spaces and parentheses.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return procInfo{}, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return procInfo{}, false
	}
	pi := procInfo{pid: pid, state: f[0][0]}
	pi.ppid, _ = strconv.Atoi(f[1])
	pi.pgrp, _ = strconv.Atoi(f[2])
	pi.start, _ = strconv.ParseUint(f[19], 10, 64)
	return pi, true
}

// alive reports whether the process still exists and has not exited
// (zombies have released their memory and shared memory attachments).
func (pi procInfo) alive() bool {
	cur, ok := readProcStat(pi.pid)
	return ok && cur.start == pi.start && cur.state != 'Z' && cur.state != 'X'
}

// kill SIGKILLs the process through a pidfd after checking that the pid
// still names the same process.
func (pi procInfo) kill() {
	p, err := os.FindProcess(pi.pid) // a pidfd on Linux: pins the process
	if err != nil {
		return
	}
	defer p.Release()
	if pi.alive() {
		_ = p.Signal(syscall.SIGKILL)
	}
}

// allProcs returns the stat of every process in /proc.
func allProcs() []procInfo {
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	out := make([]procInfo, 0, len(names))
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		if pi, ok := readProcStat(pid); ok {
			out = append(out, pi)
		}
	}
	return out
}

// descendants returns the live descendants of pid.
func descendants(pid int) []procInfo {
	kids := map[int][]procInfo{}
	for _, pi := range allProcs() {
		kids[pi.ppid] = append(kids[pi.ppid], pi)
	}
	var out []procInfo
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, k := range kids[p] {
			if k.state == 'Z' || k.state == 'X' {
				continue
			}
			out = append(out, k)
			queue = append(queue, k.pid)
		}
	}
	return out
}

// serverOrphans returns live processes running exe with their working
// directory in dataDir: server processes that outlived their parent
// (PostgreSQL's children run in their own sessions and are re-parented to
// init when the postmaster dies). Processes that cannot be inspected are
// skipped.
func serverOrphans(exe, dataDir string) []procInfo {
	if !filepath.IsAbs(exe) || !filepath.IsAbs(dataDir) || filepath.Dir(dataDir) == dataDir {
		return nil
	}
	exe = realPath(exe)
	dataDir = realPath(dataDir)
	self := os.Getpid()
	var out []procInfo
	for _, pi := range allProcs() {
		if pi.pid == self || pi.state == 'Z' || pi.state == 'X' {
			continue
		}
		dir := "/proc/" + strconv.Itoa(pi.pid)
		cwd, err := os.Readlink(dir + "/cwd")
		if err != nil || (cwd != dataDir && !strings.HasPrefix(cwd, dataDir+"/")) {
			continue
		}
		bin, err := os.Readlink(dir + "/exe")
		if err != nil || strings.TrimSuffix(bin, " (deleted)") != exe {
			continue
		}
		out = append(out, pi)
	}
	return out
}

func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// waitStopped waits (bounded) until pid is stopped or gone.
func waitStopped(pid int, max time.Duration) {
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) {
		pi, ok := readProcStat(pid)
		if !ok || pi.state == 'T' || pi.state == 't' || pi.state == 'Z' || pi.state == 'X' {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// killProcess SIGKILLs server process p (if not nil), its process group,
// its descendants and any orphaned server processes of s, then waits until
// all of them are gone and, for PostgreSQL, until the cluster's shared
// memory segment is no longer attached, so that the data directory can be
// reused at once. It gives up at deadline.
func (s *Server) killProcess(p *process, deadline time.Time) error {
	var victims []procInfo
	if p != nil {
		// Freeze the leader so that it cannot fork while its children
		// are collected (PostgreSQL's children are in their own sessions,
		// out of reach of the group kill).
		p.whileUnreaped(func() {
			if syscall.Kill(p.pid, syscall.SIGSTOP) == nil {
				waitStopped(p.pid, time.Second)
				victims = descendants(p.pid)
			}
		})
		for _, v := range victims {
			v.kill()
		}
		_ = p.signal(syscall.SIGKILL, true)
	}
	return s.waitGone(p, victims, deadline)
}

// waitGone waits until p has been reaped, the victims and s's orphaned
// server processes are gone (SIGKILLing orphans as they are found), p's
// process group is empty and, for PostgreSQL, the shared memory segment is
// detached.
func (s *Server) waitGone(p *process, victims []procInfo, deadline time.Time) error {
	exe := s.serverExe()
	for {
		var pending []string
		if p != nil && !p.exited() {
			pending = append(pending, fmt.Sprintf("pid %d", p.pid))
		}
		for _, v := range victims {
			if v.alive() {
				pending = append(pending, fmt.Sprintf("pid %d", v.pid))
			}
		}
		if exe != "" {
			for _, o := range serverOrphans(exe, s.dataDir) {
				o.kill()
				pending = append(pending, fmt.Sprintf("orphan pid %d", o.pid))
			}
		}
		if p != nil && p.exited() {
			// The group id is p's pid; with p reaped, a live group member
			// keeps the id from being reused.
			if err := syscall.Kill(-p.pid, 0); !errors.Is(err, syscall.ESRCH) {
				pending = append(pending, fmt.Sprintf("process group %d", p.pid))
			}
		}
		if len(pending) == 0 && s.Kind == KindPostgres {
			if id, ok := pgShmID(s.dataDir); ok {
				if n := shmAttached(id); n > 0 {
					pending = append(pending, fmt.Sprintf("shared memory segment %d (%d attached)", id, n))
				}
			}
		}
		if len(pending) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("sandbox: %s: old server processes still present after %s: %s",
				s.Kind, stopTimeout, strings.Join(pending, ", "))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *Server) serverExe() string {
	switch {
	case s.pg != nil:
		return s.pg.postgres
	case s.mdb != nil:
		return s.mdb.server
	}
	return ""
}

// pgShmID returns the System V shared memory id recorded in the cluster's
// postmaster.pid (line 7: "key id").
func pgShmID(dataDir string) (int, bool) {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 7 {
		return 0, false
	}
	f := strings.Fields(lines[6])
	if len(f) != 2 {
		return 0, false
	}
	id, err := strconv.Atoi(f[1])
	if err != nil || id < 0 {
		return 0, false
	}
	return id, true
}

// shmAttached returns the number of processes attached to System V shared
// memory segment id according to /proc/sysvipc/shm (0 if the segment is
// gone or the table cannot be read).
func shmAttached(id int) int {
	f, err := os.Open("/proc/sysvipc/shm")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	idCol, nCol := -1, -1
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if idCol < 0 {
			for i, h := range fields {
				switch h {
				case "shmid":
					idCol = i
				case "nattch":
					nCol = i
				}
			}
			if idCol < 0 || nCol < 0 {
				return 0
			}
			continue
		}
		if len(fields) <= max(idCol, nCol) || fields[idCol] != strconv.Itoa(id) {
			continue
		}
		n, _ := strconv.Atoi(fields[nCol])
		return n
	}
	return 0
}

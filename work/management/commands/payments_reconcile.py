"""Ask the online payment providers about payments whose callback never came, and apply their answers: the
same service as the periodic task (``work.tasks.payment_reconcile_task``)."""

from django.core.management.base import BaseCommand

from work import services


class Command(BaseCommand):
    help = "对账：查询回调未到的在线支付和处理中的退款，并按通道结果处理。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes",
            type=int,
            default=None,
            help="只查询等待超过这么多分钟的支付（默认 LINGONG_PAYMENT_RECONCILE_AFTER_MINUTES）",
        )

    def handle(self, *args, minutes=None, **options):
        counts = services.payment_reconcile(older_than_minutes=minutes)
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
